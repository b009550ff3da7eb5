// The generated message key under DATA_DIR: `npm start` launches the API, its worker and the bridge
// at once on a fresh data directory, and every one of them must end up sealing with the same key.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const jobCrypto = resolve(import.meta.dirname, '../src/delivery/job-crypto.ts');

/** A process that waits for `startAt` (ms since the epoch), then loads or creates the key and prints it. */
function keyFromProcess(keyFile: string, startAt: number): Promise<string> {
  const script = `
    const { loadOrCreateKey } = await import(${JSON.stringify(jobCrypto)});
    while (Date.now() < ${startAt}) {}
    process.stdout.write(loadOrCreateKey(undefined, ${JSON.stringify(keyFile)}).key.toString('hex'));`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [
      '--conditions=source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(err))));
  });
}

describe('the message key generated under the data directory', () => {
  it('is the same key for every process that starts at once on a fresh data directory, and the one kept on disk', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'message-key-'));
      try {
        const keyFile = join(dir, 'data', 'message-key');
        const startAt = Date.now() + 2500;
        const keys = await Promise.all(
          Array.from({ length: 6 }, () => keyFromProcess(keyFile, startAt)),
        );
        assert.equal(new Set(keys).size, 1, `round ${round}: ${keys.join(' ')}`);
        assert.equal(readFileSync(keyFile, 'utf8').trim(), keys[0]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
