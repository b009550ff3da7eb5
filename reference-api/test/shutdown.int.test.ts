import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { eventually, postJson, startApi } from './support/api-harness.js';
import {
  killLeftovers,
  spawnService,
  untilStatus,
  type ServiceProcess,
} from './support/worker-process.js';
import { scratchDir } from './support/worker-harness.js';

describe('worker processes stop without losing messages', () => {
  const redis = useRedis();
  let url: string;
  let env: Record<string, string>;
  before(async () => {
    const dataDir = scratchDir();
    env = {
      ...redis.env,
      DATA_DIR: dataDir,
      PROVIDERS: 'outbox',
      // Long enough that the test sees the send in flight on a busy machine: the message is
      // "sending" for these 4 s, and a test that missed the window would fail, not pass.
      OUTBOX_DELAY_MS: '4000',
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '8000',
      LOG_LEVEL: 'info',
    };
    // The API process only accepts; workers are separate processes, as in production.
    const api = await startApi(redis.url, { DATA_DIR: dataDir }, { role: 'api' });
    url = api.url;
    redis.defer(() => api.close());
  });
  // A worker a failed test left running would take the next test's message.
  afterEach(() => killLeftovers());

  const status = async (id: string) =>
    (await (await fetch(`${url}/v1/messages/${id}`)).json()) as {
      status: string;
      history: { event: string }[];
    };
  /** Queues a code for the test number; a refusal fails the test with what the API answered. */
  const send = async (code: string) => {
    const answer = await postJson(`${url}/v1/messages`, { to: '+5511966191717', code });
    assert.equal(answer.status, 202, `the API answered ${JSON.stringify(answer.body)}`);
    return answer;
  };
  /** Waits until the worker is sending message `id`; if it never does, says what the worker logged. */
  const untilSending = (id: string, worker: ServiceProcess) =>
    untilStatus(() => status(id), 'sending', [worker]);
  const outboxFor = async (id: string) =>
    (await redis.client().lrange('{smsmfa}:outbox', 0, -1)).filter(
      (e) => JSON.parse(e).messageId === id,
    );

  it('finishes the send in flight on SIGTERM, then exits 0 and takes no new work', async () => {
    // Queued before the worker starts, so the window to see it sending opens after the 202.
    const { body } = await send('246810');
    const worker = await spawnService('worker', env);
    await untilSending(body.id, worker);
    worker.child.kill('SIGTERM');
    // The signal is handled asynchronously; new work sent after it has been taken must wait.
    await eventually(async () => (worker.output().includes('shutting down') ? true : undefined));
    const late = await send('135790');
    assert.equal(await worker.exited, 0);
    assert.equal(
      (await status(body.id)).status,
      'sent',
      'the in-flight send completed before exit',
    );
    assert.equal((await outboxFor(body.id)).length, 1);
    assert.equal(
      (await status(late.body.id)).status,
      'queued',
      'the stopping worker took no new job',
    );
    assert.match(worker.output(), /shutting down/);
    assert.doesNotMatch(
      worker.output(),
      /246810|5511966191717/,
      'the log holds no code and no full number',
    );
    const next = await spawnService('worker', env);
    await eventually(async () =>
      (await status(late.body.id)).status === 'sent' ? true : undefined,
    );
    next.child.kill('SIGTERM');
    await next.exited;
  });

  it('exits within SHUTDOWN_TIMEOUT_MS on SIGTERM even when a send takes longer, and a restarted worker delivers that message', async () => {
    const slow = { ...env, OUTBOX_DELAY_MS: '6000', SHUTDOWN_TIMEOUT_MS: '1500' };
    const { body } = await send('975310');
    const worker = await spawnService('worker', slow);
    await untilSending(body.id, worker);
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
    const tookMs = Date.now() - signalled;
    assert.ok(tookMs < 1500 + 1000, `the worker took ${tookMs} ms to exit, the limit is 1500 ms`);
    assert.match(worker.output(), /did not finish in time/);
    assert.equal((await outboxFor(body.id)).length, 0, 'the cut-off send never went out');
    const next = await spawnService('worker', env);
    const record = await eventually(async () => {
      const r = await status(body.id);
      return r.status === 'sent' ? r : undefined;
    }, 20_000);
    assert.equal(record.status, 'sent');
    assert.equal((await outboxFor(body.id)).length, 1, 'delivered once, by the restarted worker');
    assert.doesNotMatch(worker.output() + next.output(), /975310|5511966191717/);
    next.child.kill('SIGTERM');
    assert.equal(await next.exited, 0);
  });

  it('loses nothing when a worker is killed with SIGKILL mid-send: another worker picks the job up', async () => {
    const { body } = await send('112233');
    const doomed = await spawnService('worker', env);
    await untilSending(body.id, doomed);
    doomed.child.kill('SIGKILL');
    assert.equal(await doomed.exited, 'SIGKILL');
    const rescuer = await spawnService('worker', env);
    const record = await eventually(async () => {
      const r = await status(body.id);
      return r.status === 'sent' ? r : undefined;
    }, 20_000);
    assert.equal(record.status, 'sent');
    assert.equal((await outboxFor(body.id)).length, 1, 'delivered exactly once');
    rescuer.child.kill('SIGTERM');
    assert.equal(await rescuer.exited, 0);
  });
});
