import { masters, type RedisClient } from '@sms-mfa/common/redis-client';

/** Every key matching `pattern` and every value under it, as one text a test can search for what must not be stored. */
export async function redisText(redis: RedisClient, pattern = '*'): Promise<string> {
  const parts: string[] = [];
  await redis.ping(); // a cluster client learns its masters on its first command
  const keys = await Promise.all(masters(redis).map((node) => node.keys(pattern)));
  for (const key of keys.flat()) {
    parts.push(key, JSON.stringify(await valueOf(redis, key)));
  }
  return parts.join('\n');
}

async function valueOf(redis: RedisClient, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return null;
  }
}
