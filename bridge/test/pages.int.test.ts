import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  DEMO_PHONE,
  startPagesStack,
  type PagesStack,
} from '@sms-mfa/tests/browser/support/pages-stack';

/** A browser in miniature: keeps cookies, never follows redirects. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly base: string,
    private readonly language = 'en',
  ) {}

  async get(path: string) {
    return this.request(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>) {
    return this.request(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async request(path: string, init: RequestInit) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.base), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie,
        'accept-language': this.language,
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return {
      status: res.status,
      headers: res.headers,
      text: await res.text(),
      location: res.headers.get('location') ?? '',
    };
  }
}

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const returnToOf = (page: string) => /name="return_to" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** GET with a Host header of our choosing (fetch sends the URL's). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('the hosted code-entry page over HTTP', () => {
  const redis = useRedis();
  let stack: PagesStack;
  before(async () => {
    stack = await startPagesStack(redis);
  });

  it('shows the masked number and one labelled one-time-code field, under a strict CSP with no inline script', async () => {
    const authId = await stack.issue('+14155550101');
    const page = await new Browser(stack.url).get(`/verify/${authId}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /\+14\*+101/);
    assert.doesNotMatch(page.text, /4155550101/);
    assert.match(page.text, /<label for="code"/);
    assert.match(page.text, /autocomplete="one-time-code"/);
    assert.match(page.text, /inputmode="numeric"/);
    assert.doesNotMatch(page.text, /<script>|<script [^>]*>[^<]+<\/script>|\son[a-z]+="/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
  });

  it('refuses a post without the form’s CSRF token and spends no attempt', async () => {
    const authId = await stack.issue('+14155550102');
    const browser = new Browser(stack.url);
    await browser.get(`/verify/${authId}`);
    const res = await browser.post(`/verify/${authId}`, { code: '000000', _csrf: 'forged' });
    assert.equal(res.status, 303);
    assert.match(res.location, /m=csrf/);
    assert.match((await browser.get(res.location)).text, /This form has expired/);
    const code = await stack.codeSentTo('+14155550102');
    const page = await browser.get(`/verify/${authId}`);
    const ok = await browser.post(`/verify/${authId}`, { code, _csrf: csrfOf(page.text) });
    assert.match((await browser.get(ok.location)).text, /Verified/);
  });

  it('accepts a pasted code with spaces and sends the user back to an allowed return URL with the outcome', async () => {
    const back = `${stack.url}/shop/return`;
    const authId = await stack.issue('+14155550103', { returnUrls: [back] });
    const code = await stack.codeSentTo('+14155550103');
    const browser = new Browser(stack.url);
    const page = await browser.get(`/verify/${authId}?return_to=${encodeURIComponent(back)}`);
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      new RegExp(`form-action 'self' ${stack.url}`),
    );
    const res = await browser.post(`/verify/${authId}`, {
      code: ` ${code.slice(0, 3)} ${code.slice(3)} `,
      _csrf: csrfOf(page.text),
      return_to: back,
    });
    assert.equal(res.status, 303);
    assert.equal(res.location, `${back}?authId=${authId}&status=approved`);
  });

  it('ignores a return URL that is not on the allow-list and shows a done page instead', async () => {
    const authId = await stack.issue('+14155550104', { returnUrls: [`${stack.url}/shop/return`] });
    const code = await stack.codeSentTo('+14155550104');
    const browser = new Browser(stack.url);
    const page = await browser.get(
      `/verify/${authId}?return_to=${encodeURIComponent('https://evil.example/steal')}`,
    );
    assert.doesNotMatch(page.text, /evil\.example/);
    const res = await browser.post(`/verify/${authId}`, {
      code,
      _csrf: csrfOf(page.text),
      return_to: 'https://evil.example/steal',
    });
    assert.equal(res.location, `/verify/${authId}`);
    const done = await browser.get(res.location);
    assert.match(done.text, /Verified/);
    assert.doesNotMatch(done.text, /id="continue"/);
  });

  it('keeps a relative return URL on the loopback name the page was opened at, and on the public URL for any other Host', async () => {
    const { port } = new URL(stack.url);
    const authId = await stack.issue('+14155550106', { returnUrls: [`${stack.url}/shop/return`] });
    const page = `${stack.url}/verify/${authId}?return_to=%2Fshop%2Freturn`;
    for (const [host, back] of [
      [`localhost:${port}`, `http://localhost:${port}/shop/return`],
      [`127.0.0.1:${port}`, `${stack.url}/shop/return`],
      ['evil.example', `${stack.url}/shop/return`],
      [`evil.example:${port}`, `${stack.url}/shop/return`],
    ] as const) {
      assert.equal(returnToOf(await getWithHost(page, host)), back, host);
    }
  });

  it('answers an unknown link with a 404 page, not JSON', async () => {
    const res = await new Browser(stack.url).get('/verify/00000000-0000-4000-8000-000000000000');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.text, /Link not valid/);
  });

  it('speaks Portuguese to a Brazilian browser, with the Keycloak theme’s texts', async () => {
    const authId = await stack.issue('+14155550105');
    const page = await new Browser(stack.url, 'pt-BR,pt;q=0.9').get(`/verify/${authId}`);
    assert.match(page.text, /<html lang="pt-BR">/);
    assert.match(page.text, /Reenviar|Verificar/);
  });
});

describe('the demo application over HTTP', () => {
  const redis = useRedis();
  let stack: PagesStack;
  before(async () => {
    stack = await startPagesStack(redis);
  });

  it('shows the default credentials hint and refuses a wrong password', async () => {
    const browser = new Browser(stack.url);
    const login = await browser.get('/demo/login');
    assert.match(login.text, /jdoe \/ demo/);
    const res = await browser.post('/demo/login', {
      username: 'jdoe',
      password: 'wrong',
      _csrf: csrfOf(login.text),
    });
    assert.equal(res.status, 401);
    assert.match(res.text, /Invalid username or password/);
  });

  it('signs in with password and SMS code through the public API, and shows Personal info only once the code is approved', async () => {
    const browser = new Browser(stack.url);
    const login = await browser.get('/demo/login');
    const sent = await browser.post('/demo/login', {
      username: 'jdoe',
      password: 'demo',
      _csrf: csrfOf(login.text),
    });
    assert.equal(sent.status, 303);
    const authId =
      /\/verify\/([0-9a-f-]{36})\?return_to=%2Fdemo%2Fcallback/.exec(sent.location)?.[1] ?? '';
    assert.ok(authId, sent.location);
    assert.equal(
      (await browser.get(`/demo/callback?authId=${authId}&status=approved`)).location,
      '/demo/login?again=1',
      'a forged status is not believed',
    );
    assert.equal((await browser.get('/demo/me')).location, '/demo/login');
    const again = await browser.post('/demo/login', {
      username: 'jdoe',
      password: 'demo',
      _csrf: csrfOf(login.text),
    });
    const page = await browser.get(again.location);
    assert.match(page.text, /id="dev-outbox"/);
    const code = await stack.codeSentTo(DEMO_PHONE);
    const done = await browser.post(again.location.split('?')[0] ?? '', {
      code,
      _csrf: csrfOf(page.text),
      return_to: '/demo/callback',
    });
    assert.match(done.location, /\/demo\/callback\?authId=.*&status=approved$/);
    assert.equal((await browser.get(done.location)).location, '/demo/me');
    const info = await browser.get('/demo/me');
    assert.match(info.text, /Personal info/);
    assert.match(info.text, /John Doe/);
  });
});
