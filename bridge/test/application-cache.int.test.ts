// The bearer check's application cache: changes through another instance are seen within the bound.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { APPLICATION_CACHE_TTL_MS, ApplicationStore } from '../src/apps/application-store.js';

const DEFAULTS = {
  codeLength: 6,
  otpTtlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  maxSendsPerAuth: 5,
};

describe('the application cache of the bearer check', () => {
  const redis = useRedis();
  let nowMs = Date.parse('2026-01-01T00:00:00Z');
  // Two bridge instances over one Redis, on one clock that the test moves.
  let here: ApplicationStore;
  let elsewhere: ApplicationStore;
  before(() => {
    const connection = openTarget(redis.url);
    redis.defer(() => connection.disconnect());
    here = new ApplicationStore(connection, '{mfa}', DEFAULTS, () => new Date(nowMs));
    elsewhere = new ApplicationStore(connection, '{mfa}', DEFAULTS, () => new Date(nowMs));
  });

  it('sees a change made through another instance once the cache bound has passed, not before', async () => {
    const { application } = await elsewhere.create({ name: 'Shop', scopes: ['mfa:send'] });
    assert.deepEqual((await here.cached(application.clientId))?.scopes, ['mfa:send']);
    await elsewhere.update(application.clientId, { scopes: ['mfa:verify'] });
    nowMs += APPLICATION_CACHE_TTL_MS - 1;
    assert.deepEqual((await here.cached(application.clientId))?.scopes, ['mfa:send']);
    nowMs += 1;
    assert.deepEqual((await here.cached(application.clientId))?.scopes, ['mfa:verify']);
  });

  it('forgets an application deleted through another instance within the bound', async () => {
    const { application } = await elsewhere.create({ name: 'Gone' });
    assert.ok(await here.cached(application.clientId));
    await elsewhere.remove(application.clientId);
    nowMs += APPLICATION_CACHE_TTL_MS;
    assert.equal(await here.cached(application.clientId), undefined);
  });

  it('takes a change made through the same instance at once', async () => {
    const { application } = await here.create({ name: 'Local', scopes: ['mfa:send'] });
    assert.ok(await here.cached(application.clientId));
    await here.update(application.clientId, { scopes: ['mfa:admin'] });
    assert.deepEqual((await here.cached(application.clientId))?.scopes, ['mfa:admin']);
    await here.remove(application.clientId);
    assert.equal(await here.cached(application.clientId), undefined);
  });

  it('knows an application created elsewhere at once: an unknown client is never cached', async () => {
    assert.equal(await here.cached('late-comer'), undefined);
    await elsewhere.create({ name: 'Late', clientId: 'late-comer' });
    assert.equal((await here.cached('late-comer'))?.clientId, 'late-comer');
  });

  it('reads Redis once for many requests of one application at the same moment', async () => {
    const { application } = await elsewhere.create({ name: 'Busy' });
    nowMs += APPLICATION_CACHE_TTL_MS;
    const reads = await Promise.all(
      Array.from({ length: 20 }, () => here.cached(application.clientId)),
    );
    assert.ok(reads.every((app) => app === reads[0]));
  });
});
