// An SMS-pumping attack beside real traffic on one application: bots request codes to a
// premium-looking prefix and never enter them, while real users in two countries request and enter
// theirs. The guard must stop the attack within PUMPING_MIN_SENDS + 5 messages and refuse no real user.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { auditTrail } from './support/audit-trail.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const MIN_SENDS = 20;
const ADMIN_APPS = '/admin/v1/applications';

/** Distinct numbers, so no per-number limit gets in the way of what is measured. */
const bot = (i: number) => `+23276${String(100000 + i)}`;
const brazil = (i: number) => `+551198765${String(4000 + i)}`;
const germany = (i: number) => `+49151123${String(45000 + i)}`;

describe('an SMS-pumping attack beside real sign-ins on one application', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  let admin: string;
  before(async () => {
    stack = await startDeviceAuthStack(redis, {
      PUMPING_MIN_SENDS: String(MIN_SENDS),
      PUMPING_MIN_CONVERSION: '0.2',
      BRIDGE_ADMIN_CLIENT_ID: 'pump-admin',
      BRIDGE_ADMIN_CLIENT_SECRET: 'pump-admin-secret-0123456789',
    });
    token = await stack.client({ clientId: 'shop', allowedCountries: ['SL', 'BR', 'DE'] });
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'pump-admin',
      client_secret: 'pump-admin-secret-0123456789',
    });
    const res = await fetch(`${stack.bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      body: form,
    });
    admin = ((await res.json()) as { access_token: string }).access_token;
  });

  const signIn = async (user: string, phone: string): Promise<boolean> => {
    const sent = await stack.call('POST', BASE, token, {
      userName: user,
      phoneNumber: phone,
      deviceType: 'SMS',
    });
    if (sent.status !== 201) {
      return false;
    }
    const otp = await stack.codeSentTo(phone);
    const checked = await stack.call('POST', `${BASE}/${String(sent.body['authId'])}`, token, {
      otp,
    });
    return checked.status === 200;
  };

  let attackSent = 0;
  let attackRefused = 0;
  let realRefused = 0;
  let realSignedIn = 0;

  it('stops the attack within the minimum plus five messages and refuses no real user', async () => {
    for (let round = 0; round < 60; round++) {
      const attempt = await stack.call('POST', BASE, token, {
        userName: `bot-${round}`,
        phoneNumber: bot(round),
        deviceType: 'SMS',
      });
      if (attempt.status === 201) {
        attackSent++;
      } else {
        assertFailure(attempt, 403, 'PREFIX_QUARANTINED');
        assert.ok(Number(attempt.headers.get('retry-after')) > 0);
        attackRefused++;
      }
      if (round % 3 === 0) {
        const ok = [
          await signIn(`br-${round}`, brazil(round)),
          await signIn(`de-${round}`, germany(round)),
        ];
        realSignedIn += ok.filter(Boolean).length;
        realRefused += ok.filter((x) => !x).length;
      }
      stack.clock.advance(2000);
    }
    console.log(
      `pumping: ${attackSent} messages to +23276 before quarantine (goal <= ${MIN_SENDS + 5}), ` +
        `${attackRefused} refused; real sign-ins ${realSignedIn} completed, ${realRefused} refused (goal 0)`,
    );
    assert.ok(attackSent <= MIN_SENDS + 5, `${attackSent} attack messages went out`);
    assert.ok(attackRefused > 0);
    assert.equal(realRefused, 0);
    assert.equal(realSignedIn, 40);
    assert.equal((await stack.outbox(bot(59))).length, 0, 'nothing reached a bot after quarantine');
  });

  it('lists the quarantine for the admin, records it in the audit trail and on /metrics', async () => {
    const listed = await stack.call('GET', `${ADMIN_APPS}/shop/quarantines`, admin);
    assert.equal(listed.status, 200);
    const quarantines = listed.body['quarantines'] as { prefix: string; until: string }[];
    assert.deepEqual(
      quarantines.map((q) => q.prefix),
      ['+23276'],
    );
    const events = await auditTrail(redis.client());
    const tripped = events.filter((e) => e['type'] === 'prefix_quarantined');
    assert.equal(tripped.length, 1);
    const metrics = await (await fetch(`${stack.bridge.url}/metrics`)).text();
    assert.match(metrics, /mfa_prefix_quarantines_total\{application="shop",prefix="\+23276"\} 1/);
  });

  it('sends again to the prefix once the admin releases it', async () => {
    const released = await stack.call('DELETE', `${ADMIN_APPS}/shop/quarantines/%2B23276`, admin);
    assert.equal(released.status, 204);
    const again = await stack.call('DELETE', `${ADMIN_APPS}/shop/quarantines/%2B23276`, admin);
    assertFailure(again, 404, 'NOT_FOUND');
    const sent = await stack.call('POST', BASE, token, {
      userName: 'after-release',
      phoneNumber: bot(500),
      deviceType: 'SMS',
    });
    assert.equal(sent.status, 201);
  });
});
