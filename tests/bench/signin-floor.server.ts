// The sign-in floor: what a request-code and a validate-code cost when nothing runs but Express,
// the Redis commands our bridge sends for them and the BullMQ job its worker takes, grouped in the
// same sequential round trips (counted with MONITOR, README "Benchmarks"). No token check, no
// input checks, no HMAC, no AES-GCM, no logs, no metrics, no audit or status logic: the least any
// implementation of this design (Redis for state, limits and audit; BullMQ for the queue) costs.
// Its scripts are ours, read from their files; its limits are rate-limiter-flexible's, as ours.
//
//   --role server   POST /floor/request-code, POST /floor/validate/:authId and the reference API's
//                   POST /api/sms (its record and its job) on a free port
//   --role worker   the send queue's worker: 'sending', the dev outbox's LPUSH + LTRIM, 'sent'
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = '{floor}';
const QUEUE = 'sms-send';
const lua = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** A field list the size of our authentication record (20 fields, ~600 bytes). */
function authFields(authId: string): string[] {
  const filler = (n: number) => 'x'.repeat(n);
  return Object.entries({
    clientId: 'bench-app', userKey: filler(27), deviceType: 'SMS', phoneMasked: '+55********002', callingCode: '55',
    country: 'BR', pumpingPrefix: '+5511', codeLength: '6', maxAttempts: '3', maxSends: '3', cooldownSeconds: '30',
    status: 'pending', attempts: '0', sends: '1', createdAtMs: String(Date.now()), expiresAtMs: String(Date.now() + 300_000),
    nextResendAtMs: String(Date.now() + 30_000), codeHash: filler(64), sealed: filler(120), authId,
  }).flat();
}

/** A status record the size of ours (~300 bytes of JSON). */
function messageRecord(id: string): string {
  const now = new Date().toISOString();
  return JSON.stringify({ id, status: 'queued', channel: 'sms', to: '+55********002', createdAt: now, expiresAt: now, history: [{ event: 'queued', at: now }] });
}

function limiter(redis: Redis, name: string): RateLimiterRedis {
  return new RateLimiterRedis({ storeClient: redis, keyPrefix: `floor:rl:${name}`, points: 1_000_000_000, duration: 60 });
}

async function server(): Promise<void> {
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  redis.defineCommand('floorGuard', { numberOfKeys: 2, lua: lua('bridge/src/pumping/prefix-guard.lua') });
  redis.defineCommand('floorCreate', { numberOfKeys: 1, lua: lua('bridge/src/otp/create.lua') });
  redis.defineCommand('floorVerify', { numberOfKeys: 2, lua: lua('bridge/src/otp/verify.lua') });
  const guard = (mode: string) =>
    (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)['floorGuard']!(
      '{pump:bench-app}:w:+5511', '{pump:bench-app}:q', mode, '+5511', Date.now(), 60_000, 60, 1_000_000_000, 0.2, 3_600_000,
    );
  const call = (name: string, ...args: unknown[]) =>
    (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
  const sends = ['app-sends', 'country', 'phone'].map((n) => limiter(redis, n));
  const validations = ['app-validations', 'auth-validations'].map((n) => limiter(redis, n));
  const queueConnection = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const queue = new Queue(QUEUE, { connection: queueConnection, prefix: PREFIX });
  // Adds gathered over one turn of the event loop go out as one addBulk, as our SendQueue does.
  let pending: { name: string; data: unknown; opts: JobsOptions }[] = [];
  let waiting: (() => void)[] = [];
  const add = (id: string) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ name: 'send', data: { messageId: id, sealed: 'x'.repeat(260), expiresAt: Date.now() + 300_000, chain: ['outbox'], chainIndex: 0, providerAttempt: 0 }, opts: { jobId: id, attempts: 3, backoff: { type: 'fixed', delay: 100 }, removeOnComplete: true, removeOnFail: true } });
      waiting.push(resolve);
      if (pending.length === 1) {
        setImmediate(() => {
          const [jobs, done] = [pending, waiting];
          [pending, waiting] = [[], []];
          queue.addBulk(jobs).then(() => done.forEach((d) => d()), reject);
        });
      }
    });
  const audit = (type: string, authId: string) =>
    redis.xadd('mfa:{audit:0}:events', 'MAXLEN', '~', '6250', '*', 'type', type, 'application', 'bench-app', 'outcome', 'success', 'at', new Date().toISOString(), 'authId', authId, 'phone', '+55********002');

  const app = express();
  app.use(express.json({ limit: '16kb' }));
  app.post('/floor/request-code', async (req, res) => {
    const user = String((req.body as { userName?: string }).userName);
    const authId = randomUUID();
    const tag = `{u:${authId.slice(0, 4)}}`;
    await redis.hget(`floor:${tag}:user-failures:${user}`, 'waitUntilMs');
    await Promise.all([guard('send'), ...sends.map((l) => l.consume(user))]);
    await Promise.all([call('floorCreate', `floor:${tag}:auth:${authId}`, 1_200_000, ...authFields(authId)), audit('issued', authId)]);
    const id = randomUUID();
    await queueConnection.set(`${PREFIX}:idem:${id}`, `${id} fingerprint`, 'EX', 86_400, 'NX');
    await Promise.all([queueConnection.set(`${PREFIX}:msg:${id}`, messageRecord(id), 'EX', 604_800), add(id)]);
    await audit('sent', authId);
    res.status(201).json({ authId });
  });
  // The reference API's POST /api/sms: the message record and the job, written together.
  app.post('/api/sms', async (_req, res) => {
    const id = randomUUID();
    await Promise.all([queueConnection.set(`${PREFIX}:msg:${id}`, messageRecord(id), 'EX', 604_800), add(id)]);
    res.status(202).json({ id, status: 'queued' });
  });
  app.post('/floor/validate/:authId', async (req, res) => {
    const authId = String(req.params['authId']);
    const tag = `{u:${authId.slice(0, 4)}}`;
    const key = `floor:${tag}:auth:${authId}`;
    await redis.hgetall(key);
    await Promise.all(validations.map((l) => l.consume(authId)));
    await call('floorVerify', key, `floor:${tag}:user-failures:u`, 'bench-app', '1', 'x'.repeat(64), Date.now(), 5, 1000, 60_000, 3_600_000);
    await Promise.all([guard('validated'), audit('validated', authId)]);
    res.status(200).json({ authId, status: 'APPROVED' });
  });
  const listening = app.listen(0, '127.0.0.1', () => {
    const address = listening.address();
    console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
  });
}

async function worker(): Promise<void> {
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const transition = lua('reference-api/src/messages/transition.lua');
  redis.defineCommand('floorTransition', { numberOfKeys: 1, lua: transition });
  redis.defineCommand('floorTransitionIndexed', { numberOfKeys: 2, lua: transition });
  const call = (name: string, ...args: unknown[]) =>
    (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const running = new Worker(
    QUEUE,
    async (job) => {
      const id = (job.data as { messageId: string }).messageId;
      const key = `${PREFIX}:msg:${id}`;
      await call('floorTransition', key, 'sending', '{"provider":"outbox"}', new Date().toISOString());
      const providerId = `outbox-${randomUUID()}`;
      await Promise.all([redis.lpush(`${PREFIX}:outbox`, JSON.stringify({ id: providerId, messageId: id, to: '+5511960000002', text: 'Your code is 123456' })), redis.ltrim(`${PREFIX}:outbox`, 0, 999)]);
      await call('floorTransitionIndexed', key, `${PREFIX}:pmid:outbox:${providerId}`, 'sent', JSON.stringify({ provider: 'outbox', providerMessageId: providerId }), new Date().toISOString());
      return 'sent';
    },
    { connection, prefix: PREFIX, concurrency: 32 },
  );
  await running.waitUntilReady();
  console.log('LISTENING 0');
}

const role = process.argv[process.argv.indexOf('--role') + 1];
if (role === 'server') {
  await server();
} else if (role === 'worker') {
  await worker();
} else {
  console.error('usage: signin-floor.server.ts --role server|worker');
  process.exit(2);
}
