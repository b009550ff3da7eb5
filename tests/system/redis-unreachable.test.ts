// A service pointed at a Redis that is not there says so in one line and exits: no log lines of
// its connection's retries before it, no stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { runToExit } from '../support/processes.js';

const SERVICES: [string, string, string[], Record<string, string>][] = [
  [
    'the reference API',
    'reference-api/src/start.ts',
    ['--role', 'api'],
    { REFERENCE_API_PORT: '0' },
  ],
  ['its worker', 'reference-api/src/start.ts', ['--role', 'worker'], {}],
  ['the bridge', 'bridge/src/start.ts', [], { BRIDGE_PORT: '0' }],
];

describe('a service whose Redis is not running', { concurrency: true }, () => {
  for (const [name, script, args, env] of SERVICES) {
    it(`prints one line, what to check, and exits (${name})`, async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      const ended = await runToExit(script, args, { ...env, REDIS_URL: url });
      assert.notEqual(ended.code, 0, ended.output);
      assert.notEqual(ended.code, null, `still running after 30 s: ${ended.output}`);
      const lines = ended.output.split('\n').filter((l) => l.trim() !== '');
      assert.deepEqual(lines, [
        `cannot reach Redis at ${url} (connect ECONNREFUSED ${url.slice('redis://'.length)}): check REDIS_URL / REDIS_CLUSTER_NODES, and that Redis runs`,
      ]);
    });
  }
});
