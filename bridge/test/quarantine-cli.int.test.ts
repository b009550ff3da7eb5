import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { ApplicationStore } from '../src/apps/application-store.js';
import { PrefixGuard } from '../src/pumping/prefix-guard.js';
import { cli } from './support/apps-cli.js';
import { testConfig } from './support/otp-fixtures.js';

describe('npm run apps -- quarantines / release-prefix', () => {
  const redis = useRedis();
  let env: Record<string, string>;
  before(async () => {
    env = {
      ...redis.env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'quarantine-cli-')),
      BRIDGE_SECRET: 'test-server-secret-0123456789abcdef',
    };
    const config = testConfig({ ...redis.env });
    const apps = new ApplicationStore(redis.client(), '{mfa}', config.otpDefaults);
    await apps.create({ clientId: 'shop', name: 'Shop' }, 'shop-secret-0123456789');
    const guard = new PrefixGuard(redis.client(), '{mfa}', { ...config.pumping, minSends: 2 });
    for (let i = 0; i < 3; i++) {
      await guard.beforeSend('shop', '+23276', Date.now());
    }
  });

  it('lists the quarantined prefix and until when', async () => {
    const { code, stdout } = await cli(['quarantines', 'shop'], env);
    assert.equal(code, 0);
    assert.match(stdout, /^\+23276 {2}until \d{4}-\d\d-\d\dT/m);
  });

  it('releases it, then says there is nothing to release', async () => {
    const first = await cli(['release-prefix', 'shop', '--prefix', '+23276'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Released \+23276 for shop/);
    const listed = await cli(['quarantines', 'shop'], env);
    assert.match(listed.stdout, /No prefix is in quarantine for shop/);
    const again = await cli(['release-prefix', 'shop', '--prefix', '+23276'], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /\+23276 is not quarantined for shop/);
  });

  it('refuses an unknown application in one line', async () => {
    const { code, stderr } = await cli(['quarantines', 'nope'], env);
    assert.notEqual(code, 0);
    assert.match(stderr, /no application nope/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
