import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from '../src/pages/html.js';
import { Messages, negotiateLocale } from '../src/pages/i18n.js';
import { formatMessage, parseProperties } from '../src/pages/properties.js';
import { allowedReturnUrl } from '../src/pages/return-url.js';
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
        'demoHint',
      ])
        assert.notEqual(t(key, 'x'), key, `${locale}: ${key}`);
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
    ])
      assert.equal(ok(bad), undefined, bad);
  });
});
