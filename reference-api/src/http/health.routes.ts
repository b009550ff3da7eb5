import { Router } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Registry } from 'prom-client';

/** Reports whether a worker is running; the API process asks RedisClient, a worker process knows. */
export type WorkerCheck = () => Promise<boolean>;

/** `GET /healthz`, `GET /readyz`, `GET /metrics`. */
export function healthRoutes(
  redis: RedisClient,
  workerRunning: WorkerCheck,
  registry: Registry,
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const redisOk = await redis.ping().then(
      () => true,
      () => false,
    );
    const workerOk = redisOk && (await workerRunning().catch(() => false));
    res.status(redisOk && workerOk ? 200 : 503).json({
      status: redisOk && workerOk ? 'ready' : 'not_ready',
      checks: { redis: redisOk, worker: workerOk },
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
