import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from '../src/pages/html.js';
import { Messages, negotiateLocale } from '../src/pages/i18n.js';
import { formatMessage, parseProperties } from '../src/pages/properties.js';
import { allowedReturnUrl, userOrigin } from '../src/pages/return-url.js';
import { testApplication } from './support/otp-fixtures.js';

describe('hosted page building blocks', () => {
  it('escapes every value put into a page', () => {
    assert.equal(
      html`<p title="${'"><script>'}">${'<b>&'}</p>`.value,
      '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;</p>',
    );
  });

  it('reads .properties files as Keycloak does: comments, escapes, continuations, MessageFormat arguments', () => {
    const props = parseProperties('# c\n! c\na=one {0}\nb = two \\\n  lines\nc=\\u00e9\\tx\n');
    assert.deepEqual(
      [...props],
      [
        ['a', 'one {0}'],
        ['b', 'two lines'],
        ['c', 'é\tx'],
      ],
    );
    assert.equal(formatMessage("It''s {0} of {1}", [1, 'two']), "It's 1 of two");
  });

  it('speaks the language the browser asks for, among the theme languages, English otherwise', () => {
    assert.equal(negotiateLocale('pt-BR,pt;q=0.9,en;q=0.8'), 'pt-BR');
    assert.equal(negotiateLocale('pt-PT'), 'pt-BR');
    assert.equal(negotiateLocale('ja, de;q=0.5, fr;q=0.7'), 'fr');
    assert.equal(negotiateLocale('ja'), 'en');
    assert.equal(negotiateLocale(undefined), 'en');
  });

  it('takes the shared texts from the Keycloak theme and the page texts from its own bundles, in every language', () => {
    const messages = new Messages();
    assert.equal(messages.translator('de')('smsAuthSubmit').length > 0, true);
    assert.notEqual(
      messages.translator('de')('smsAuthSubmit'),
      messages.translator('en')('smsAuthSubmit'),
    );
    for (const locale of ['en', 'pt-BR', 'de', 'es', 'fr'] as const) {
      const t = messages.translator(locale);
      for (const key of [
        'smsAuthInstructionPhone',
        'smsAuthResendIn',
        'pageVerifiedTitle',
        'pageBadRequestText',
        'demoHint',
      ]) {
        assert.notEqual(t(key, 'x'), key, `${locale}: ${key}`);
      }
    }
  });

  it('sends users back only to return URLs on the application’s allow-list', () => {
    const app = testApplication({
      returnUrls: [
        'https://shop.example/return',
        'https://other.example',
        'http://localhost:3000/demo/callback',
      ],
    });
    const ok = (u: string) => allowedReturnUrl(app, u, 'http://localhost:3000')?.href;
    assert.equal(ok('https://shop.example/return?x=1'), 'https://shop.example/return?x=1');
    assert.equal(ok('https://shop.example/return/deeper'), 'https://shop.example/return/deeper');
    assert.equal(ok('https://other.example/anything'), 'https://other.example/anything');
    assert.equal(ok('/demo/callback'), 'http://localhost:3000/demo/callback');
    for (const bad of [
      'https://shop.example/returned',
      'https://shop.example.evil.example/return',
      '//evil.example/return',
      'javascript:alert(1)',
      'https://user:pw@shop.example/return',
      'http://shop.example/return',
      '/other',
      'demo/callback',
    ]) {
      assert.equal(ok(bad), undefined, bad);
    }
  });

  it('resolves a relative return URL on the loopback name the user is on, and admits that origin as the public URL’s', () => {
    const app = testApplication({ returnUrls: ['http://localhost:3000/demo/callback'] });
    const at = (u: string, here: string) =>
      allowedReturnUrl(app, u, 'http://localhost:3000', here)?.href;
    const here = 'http://127.0.0.1:3000';
    assert.equal(at('/demo/callback', here), 'http://127.0.0.1:3000/demo/callback');
    assert.equal(
      at('http://127.0.0.1:3000/demo/callback?x=1', here),
      'http://127.0.0.1:3000/demo/callback?x=1',
    );
    assert.equal(
      at('http://localhost:3000/demo/callback', here),
      'http://localhost:3000/demo/callback',
    );
    for (const bad of [
      '/other',
      'http://[::1]:3000/demo/callback',
      '//127.0.0.1:3000/demo/callback',
    ]) {
      assert.equal(at(bad, here), undefined, bad);
    }
  });

  it('takes the user’s origin from the request only on a loopback name, and only when the public URL is on one too', () => {
    const origin = (host: string, publicUrl = 'http://localhost:3000') =>
      userOrigin({ protocol: 'http', host }, publicUrl);
    assert.equal(origin('127.0.0.1:3000'), 'http://127.0.0.1:3000');
    assert.equal(origin('[::1]:3000'), 'http://[::1]:3000');
    assert.equal(origin('LOCALHOST:3000', 'http://127.0.0.1:3000'), 'http://localhost:3000');
    for (const host of [
      'evil.example',
      'localhost:3000@evil.example',
      '127.0.0.1.evil.example',
      '',
    ]) {
      assert.equal(origin(host), 'http://localhost:3000', host);
    }
    assert.equal(
      origin('127.0.0.1:3000', 'https://mfa.example.com'),
      'https://mfa.example.com',
      'behind a reverse proxy the Host header may name the upstream',
    );
  });
});
