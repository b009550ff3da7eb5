// Whose X-Forwarded-* headers the reference API believes (TRUST_PROXY): a local process is no proxy
// unless named. Observed where the reference API uses them: the URL a Twilio receipt is signed over,
// when PUBLIC_BASE_URL does not give it. (The bridge's per-address budgets: bridge/test/token-abuse.)
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import { useRedis } from '../support/redis-harness.js';

const AUTH_TOKEN = 'trust-proxy-auth-token-0123456789';

/** A Twilio status callback signed over `url`, as Twilio signs it. */
function receipt(url: string) {
  const params: Record<string, string> = {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    MessageSid: 'SM0123456789abcdef0123456789abcdef',
    MessageStatus: 'delivered',
  };
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return {
    signature: createHmac('sha1', AUTH_TOKEN).update(data).digest('base64'),
    body: new URLSearchParams(params).toString(),
  };
}

describe('the reference API behind a TLS proxy on loopback, without PUBLIC_BASE_URL', () => {
  const redis = useRedis();
  const services = new Map<string, string>();

  before(async () => {
    for (const trustProxy of ['', 'loopback']) {
      const dataDir = mkdtempSync(join(tmpdir(), 'trust-proxy-'));
      const service = await startReferenceApi(
        loadConfig({
          ...redis.env,
          REFERENCE_API_PORT: '0',
          DATA_DIR: dataDir,
          PROVIDERS: 'twilio',
          TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          TWILIO_FROM: '+15005550006',
          ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}),
        }),
        { role: 'api', logger: createLogger('test', 'silent') },
      );
      redis.defer(async () => {
        await service.close();
        rmSync(dataDir, { recursive: true, force: true });
      });
      services.set(trustProxy, service.url ?? '');
    }
  });

  /** A receipt signed for https, posted over plain HTTP by a local process claiming X-Forwarded-Proto: https. */
  const postAsHttps = async (base: string) => {
    const { signature, body } = receipt(`${base.replace(/^http:/, 'https:')}/webhooks/twilio`);
    const res = await fetch(`${base}/webhooks/twilio`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
        'x-twilio-signature': signature,
      },
      body,
    });
    return res.status;
  };

  it('believes no X-Forwarded-Proto by default: the receipt URL stays the one the request came to', async () => {
    assert.equal(await postAsHttps(services.get('') ?? ''), 401);
  });

  it('believes the proxy that TRUST_PROXY names', async () => {
    assert.equal(await postAsHttps(services.get('loopback') ?? ''), 200);
  });
});
