import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** Runs `npm run apps -- <args>` as its own process with only `env` (and PATH); resolves with what it printed. */
export function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      resolve(import.meta.dirname, '../../src/cli/apps.ts'),
      ...args,
    ],
    {
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) =>
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr })),
  );
}
