import { Router } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Registry } from 'prom-client';

/** `GET /healthz` (the process is up), `GET /readyz` (RedisClient answers), `GET /metrics`. */
export function healthRoutes(redis: RedisClient, registry: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const redisOk = await redis.ping().then(
      () => true,
      () => false,
    );
    res
      .status(redisOk ? 200 : 503)
      .json({ status: redisOk ? 'ready' : 'not_ready', checks: { redis: redisOk } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
