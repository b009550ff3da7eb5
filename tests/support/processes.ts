import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** A child process that printed its port. */
export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything it printed so far (stdout and stderr, in order of arrival). */
  output(): string;
  stop(): Promise<void>;
}

/** BENCH_NODE_FLAGS (V8 flags, space-separated) and BENCH_PROFILE's profiler flags for a child. */
function benchNodeFlags(): string[] {
  const dir = process.env['BENCH_PROFILE'];
  const flags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  return [...flags, ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`] : [])];
}

/**
 * How a script is run: through tsx from its TypeScript source, or with BENCH_COMPILED=1 a service's
 * entry point from the JavaScript `npm run build` emitted (`<workspace>/dist/`), as the images run it.
 */
function entryPoint(script: string): string[] {
  const compiled = /^(bridge|reference-api)\/src\/(.+)\.ts$/.exec(script);
  if (process.env['BENCH_COMPILED'] && compiled) {
    return [resolve(root, compiled[1]!, 'dist', `${compiled[2]}.js`)];
  }
  return ['--conditions=source', '--import', 'tsx', resolve(root, script)];
}

/** Runs a TypeScript entry point in its own Node process and waits for `LISTENING <port>` or `readyLine`. */
export async function startProcess(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  readyLine = /LISTENING (\d+)/,
): Promise<Started> {
  const child = spawn(
    process.execPath,
    // BENCH_PROFILE=<dir>: each child writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
    [...benchNodeFlags(), ...entryPoint(script), ...args],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const collect = (d: Buffer) => (out += d.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const port = await new Promise<number>((done, fail) => {
    const scan = () => {
      const match = readyLine.exec(out);
      if (match) {
        done(Number(match[1] ?? 0));
      }
    };
    child.stdout!.on('data', scan);
    child.stderr!.on('data', scan);
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}: ${out}`)));
  });
  return {
    child,
    port,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) {
          return done();
        }
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** How a process that was expected to stop on its own ended. */
export interface Ended {
  readonly code: number | null;
  /** Everything it printed (stdout and stderr, in order of arrival). */
  readonly output: string;
}

/** Runs a TypeScript entry point to its end (killed after `timeoutMs`, then `code` is null). */
export async function runToExit(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Ended> {
  const child = spawn(process.execPath, [...entryPoint(script), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': by then everything it printed has been read
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}
