import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from './api-harness.js';

const START = fileURLToPath(new URL('../../src/start.ts', import.meta.url));

/** A reference-api process started the way production starts it (`start.ts --role ...`). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything it logged, for assertions on log content. */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

// Every process still running when the file's tests end is killed: a test that failed before it
// stopped its worker must not leave it holding the file open until the runner's timeout.
const running = new Set<ChildProcess>();
after(() => killLeftovers());

/**
 * SIGKILLs every process this file spawned that is still running and waits for them to go. Call it
 * after each test: a worker that a failed test never stopped would otherwise take the next test's
 * messages.
 */
export async function killLeftovers(): Promise<void> {
  const left = [...running];
  for (const child of left) {
    child.kill('SIGKILL');
  }
  await Promise.all(
    left.map((child) =>
      child.exitCode === null && child.signalCode === null ? once(child, 'exit') : null,
    ),
  );
}

/** Spawns `start.ts --role <role>` with `env` and waits until it logs that it started. */
export async function spawnService(
  role: 'api' | 'worker' | 'all',
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', START, '--role', role],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  running.add(child);
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return (code ?? signal) as number | string;
  });
  const deadline = Date.now() + 20_000;
  while (!log.includes('reference-api started')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the ${role} process did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => log, exited };
}

/**
 * Waits until `read()` gives a record in status `wanted` and returns it; if none comes within
 * `timeoutMs`, fails with the last status read and what each of `workers` logged.
 */
export async function untilStatus<T extends { status: string }>(
  read: () => Promise<T>,
  wanted: string,
  workers: readonly ServiceProcess[],
  timeoutMs = 10_000,
): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(async () => {
      last = await read();
      return last.status === wanted ? last : undefined;
    }, timeoutMs);
  } catch (err) {
    const logs = workers.map((w, i) => `--- worker ${i + 1} (pid ${w.child.pid}):\n${w.output()}`);
    throw new Error(
      `the message is ${JSON.stringify(last?.status)}, not ${wanted} (${(err as Error).message}); the workers logged:\n${logs.join('\n')}`,
    );
  }
}
