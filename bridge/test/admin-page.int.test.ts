// GET /admin, the overview page, over a real Redis, beside a real reference API: the sign-in,
// its limits, the figures the sign-ins through the CIAM API leave in the audit trail, and the
// reference API's own figures (or the notice when it is down).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { createApp } from '../src/app.js';
import type { BridgeDeps } from '../src/compose.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';

const OPS = { clientId: 'ops', secret: 'ops-secret-0123456789-abcdef' } as const;
const INDIA = '+918212345212';
const UK = '+447911123456';
const US = '+14155550123';
const SHOP_SECRET = (clientId: string) => `secret-${clientId}-0123456789`;

/** A browser in miniature: keeps cookies, never follows redirects. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  constructor(private readonly base: string) {}

  get(path: string) {
    return this.request(path, { method: 'GET' });
  }

  post(path: string, form: Record<string, string>) {
    return this.request(path, { method: 'POST', body: new URLSearchParams(form) });
  }

  async signIn(clientId: string, secret: string) {
    const form = await this.get('/admin');
    return this.post('/admin/login', {
      _csrf: csrfOf(form.text),
      client_id: clientId,
      client_secret: secret,
    });
  }

  private async request(path: string, init: RequestInit) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.base), {
      ...init,
      redirect: 'manual',
      headers: { cookie, 'accept-language': 'en' },
    });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value) {
        this.cookies.set(pair.slice(0, at), value);
      } else {
        this.cookies.delete(pair.slice(0, at));
      }
    }
    // The markup as the templates lay it out, whitespace between and inside tags squeezed out.
    const text = (await res.text())
      .replace(/\s+/g, ' ')
      .replace(/\s*>\s*/g, '>')
      .replace(/\s*<\s*/g, '<');
    return { status: res.status, headers: res.headers, text };
  }
}

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const figureOf = (page: string, figure: string) =>
  new RegExp(`data-figure="${figure}">([^<]*)<`).exec(page)?.[1];
const rowOf = (page: string, head: string) =>
  new RegExp(`<tr><th scope="row">${head.replace('+', '\\+')}</th>(.*?)</tr>`)
    .exec(page)?.[1]
    ?.replace(/<[^>]+>/g, ' ')
    .trim()
    .split(/\s+/);

/** The bridge's own app with its pages, over the stack's dependencies, on a port of its own. */
async function pagesServer(deps: BridgeDeps): Promise<{ url: string; server: Server }> {
  const server = createApp(deps, { pages: true }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the admin overview page, GET /admin', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let url: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis, { RATE_CLIENT_AUTH_FAILURES: '5' });
    const pages = await pagesServer(stack.bridge.context);
    url = pages.url;
    redis.defer(() => new Promise<void>((resolve) => pages.server.close(() => resolve())));
    await stack.bridge.apps.create(
      { clientId: OPS.clientId, name: 'Operations', scopes: ['mfa:admin'] },
      OPS.secret,
    );
  });

  /** Sends a code to `phone` for `clientId` and, unless `enter` is false, enters it (a wrong one first when asked). */
  async function signInThrough(
    token: string,
    phone: string,
    { enter = true, wrongFirst = false } = {},
  ): Promise<void> {
    const before = (await stack.outbox(phone)).length;
    const sent = await stack.call('POST', '/ciam-mfa/v2/deviceAuthentications', token, {
      userName: `user${phone.slice(-4)}`,
      phoneNumber: phone,
      deviceType: 'sms',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const code = await stack.codeSentTo(phone, before);
    const path = `/ciam-mfa/v2/deviceAuthentications/${String(sent.body['authId'])}`;
    if (wrongFirst) {
      const wrong = code.replace(/^./, (d) => String((Number(d) + 1) % 10));
      assert.equal((await stack.call('POST', path, token, { otp: wrong })).status, 400);
    }
    if (enter) {
      assert.equal((await stack.call('POST', path, token, { otp: code })).status, 200);
    }
  }

  it('answers GET /admin without a session with the sign-in form, under the hosted pages’ CSP, while /admin/v1 still wants a bearer token', async () => {
    const browser = new Browser(url);
    const page = await browser.get('/admin');
    assert.equal(page.status, 200);
    assert.match(page.text, /<form[^>]*action="\/admin\/login"/);
    assert.match(page.text, /<label for="client-secret"/);
    assert.doesNotMatch(page.text, /<script|style=/);
    const hosted = await browser.get('/verify/00000000-0000-4000-8000-000000000000');
    assert.ok(hosted.headers.get('content-security-policy'));
    assert.equal(
      page.headers.get('content-security-policy'),
      hosted.headers.get('content-security-policy'),
    );
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const api = await fetch(`${url}/admin/v1/applications`);
    assert.equal(api.status, 401);
    assert.equal(((await api.json()) as { code: string }).code, 'UNAUTHORIZED');
    assert.match(api.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('refuses a wrong secret with the form again and a plain message, and starts no session', async () => {
    const browser = new Browser(url);
    const refused = await browser.signIn(OPS.clientId, 'not-the-secret');
    assert.equal(refused.status, 401);
    assert.match(refused.text, /These credentials cannot open the overview/);
    assert.match(refused.text, /value="ops"/);
    assert.equal(browser.cookies.has('mfa_admin'), false);
    assert.equal((await browser.get('/admin')).text.includes('action="/admin/login"'), true);
  });

  it('refuses an application without the mfa:admin scope alike, even with its right secret', async () => {
    await stack.client({ clientId: 'shop-plain' });
    const browser = new Browser(url);
    const refused = await browser.signIn('shop-plain', SHOP_SECRET('shop-plain'));
    assert.equal(refused.status, 401);
    assert.match(refused.text, /These credentials cannot open the overview/);
    assert.equal(browser.cookies.has('mfa_admin'), false);
  });

  it('refuses a sign-in whose form lacks the CSRF token', async () => {
    const browser = new Browser(url);
    await browser.get('/admin');
    const res = await browser.post('/admin/login', {
      client_id: OPS.clientId,
      client_secret: OPS.secret,
    });
    assert.equal(res.status, 403);
    assert.equal(browser.cookies.has('mfa_admin'), false);
  });

  it('signs in an mfa:admin application with an HttpOnly, SameSite=Strict cookie for /admin, and signs it out', async () => {
    const browser = new Browser(url);
    const res = await browser.signIn(OPS.clientId, OPS.secret);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin');
    const cookie = browser.setCookies.find((c) => c.startsWith('mfa_admin=')) ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/admin/);
    assert.match(cookie, /Max-Age=3600/);
    const page = await browser.get('/admin');
    assert.equal(page.status, 200);
    assert.match(page.text, /Signed in as ops/);
    assert.equal((await browser.post('/admin/logout', {})).status, 303);
    assert.match((await browser.get('/admin')).text, /Signed in as ops/, 'no CSRF, no sign-out');
    await browser.post('/admin/logout', { _csrf: csrfOf(page.text) });
    assert.match((await browser.get('/admin')).text, /action="\/admin\/login"/);
  });

  it('shows the figures of the sign-ins the CIAM API served: per hour, per application and per calling code', async () => {
    const shopA = await stack.client({ clientId: 'shop-a' });
    const shopB = await stack.client({ clientId: 'shop-b' });
    await signInThrough(shopA, INDIA);
    await signInThrough(shopA, UK, { wrongFirst: true });
    await signInThrough(shopA, US, { enter: false });
    await signInThrough(shopB, UK, { enter: false });
    const browser = new Browser(url);
    await browser.signIn(OPS.clientId, OPS.secret);
    const all = (await browser.get('/admin')).text;
    assert.deepEqual(
      ['issued', 'validated', 'failed', 'locked', 'conversion'].map((f) => figureOf(all, f)),
      ['4', '2', '1', '0', '50%'],
    );
    assert.match(all, /href="\/admin\?application=shop-a"/);
    assert.match(all, /href="\/admin\?application=shop-b"/);
    assert.deepEqual(rowOf(all, '+91'), ['IN', '1', '1', '100%']);
    assert.deepEqual(rowOf(all, '+44'), ['GB,', 'GG,', 'IM,', 'JE', '2', '1', '50%']);
    assert.deepEqual(rowOf(all, '+1'), ['25', 'regions', '1', '0', '0%']);
    const hours = [...all.matchAll(/<tr><th scope="row">(\d\d:00)<\/th>(.*?)<\/tr>/g)];
    assert.equal(hours.length, 24);
    const thisHour = new Date(stack.clock.now()).toISOString().slice(11, 13);
    assert.equal(hours.at(-1)?.[1], `${thisHour}:00`);
    assert.match(hours.at(-1)?.[2] ?? '', /^<td>4<\/td><td>2<\/td><td>1<\/td>/);
    const b = (await browser.get('/admin?application=shop-b')).text;
    assert.deepEqual(
      ['issued', 'validated', 'conversion'].map((f) => figureOf(b, f)),
      ['1', '0', '0%'],
    );
    assert.match(b, /aria-current="page">shop-b</);
  });

  it('counts only the last 24 hours, and ends a session after an hour', async () => {
    stack.clock.advance(2 * 3_600_000);
    const browser = new Browser(url);
    await browser.signIn(OPS.clientId, OPS.secret);
    await signInThrough(await stack.client({ clientId: 'shop-c' }), US);
    const page = (await browser.get('/admin')).text;
    assert.equal(figureOf(page, 'issued'), '5');
    const hours = [...page.matchAll(/<tr><th scope="row">\d\d:00<\/th><td>(\d+)<\/td>/g)];
    assert.deepEqual(
      hours.slice(-3).map((h) => h[1]),
      ['4', '0', '1'],
    );
    stack.clock.advance(23 * 3_600_000);
    assert.match((await browser.get('/admin')).text, /action="\/admin\/login"/);
    await browser.signIn(OPS.clientId, OPS.secret);
    assert.equal(figureOf((await browser.get('/admin')).text, 'issued'), '1');
  });

  it('shows the reference API’s sends, queue and breakers, and a notice (still 200) when it is down', async () => {
    const up = new Browser(url);
    await up.signIn(OPS.clientId, OPS.secret);
    const page = (await up.get('/admin')).text;
    assert.match(page, /<table id="sends"/);
    assert.match(page, /<th scope="row">outbox<\/th><td>sent<\/td><td>\d+<\/td>/);
    assert.match(page, /<table id="breakers".*<th scope="row">outbox<\/th><td>closed<\/td>/s);
    assert.match(page, /<table id="queue"/);
    assert.match(page, /Oldest waiting job: \d+\.\d s/);
    const context = stack.bridge.context;
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const down = await pagesServer({
      ...context,
      config: { ...context.config, referenceApi: { ...context.config.referenceApi, url: deadUrl } },
    });
    try {
      const browser = new Browser(down.url);
      await browser.signIn(OPS.clientId, OPS.secret);
      const res = await browser.get('/admin');
      assert.equal(res.status, 200);
      assert.match(res.text, /id="reference-unreachable"/);
      assert.match(res.text, /Reference API unreachable/);
      assert.ok(figureOf(res.text, 'issued'));
    } finally {
      await new Promise<void>((resolve) => down.server.close(() => resolve()));
    }
  });

  it('counts wrong secrets with the token endpoints’ limit per address: past it even the right secret waits', async () => {
    const browser = new Browser(url);
    // One failure so far (the wrong secret above); the non-admin application's right secret did not count.
    for (let i = 0; i < 4; i++) {
      assert.equal((await browser.signIn('nobody', `guess-${i}`)).status, 401);
    }
    const blocked = await browser.signIn(OPS.clientId, OPS.secret);
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(blocked.text, /Too many failed sign-ins from this address/);
    assert.equal(browser.cookies.has('mfa_admin'), false);
    const token = await fetch(`${stack.bridge.url}/realms/mfa/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: OPS.clientId,
        client_secret: OPS.secret,
      }),
    });
    assert.equal(token.status, 429, 'the token endpoint shares the count');
  });
});
