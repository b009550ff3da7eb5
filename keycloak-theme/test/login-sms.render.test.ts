import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { attribute, openingTag, textOf, visibleText } from './support/html.js';
import { declaredLocales, messageText } from './support/messages.js';
import {
  loginThemeDir,
  missingTools,
  renderAll,
  type RenderJob,
} from './support/render-template.js';

const invalid = { key: 'smsAuthCodeInvalid', field: 'code' } as const;

// Every page the tests look at, rendered in one JVM: starting Java once per page would be slow.
const jobs = {
  ours: {
    attributes: { maskedPhone: '+55*******717', resendCooldownSeconds: 30, attemptsRemaining: 5 },
  },
  invalid: { attributes: { attemptsRemaining: 3, resendCooldownSeconds: 0 }, messages: [invalid] },
  lastAttempt: { attributes: { attemptsRemaining: 1 }, messages: [invalid] },
  expiredField: { messages: [{ key: 'smsAuthCodeExpired', field: 'code' }] },
  expiredGlobal: { messages: [{ key: 'smsAuthCodeExpired' }] },
  cooldown: { attributes: { resendCooldownSeconds: 30 } },
  ready: { attributes: { resendCooldownSeconds: 0, resendsRemaining: 2 } },
  exhausted: { attributes: { resendCooldownSeconds: 0, resendsRemaining: 0 } },
  strings: {
    attributes: { attemptsRemaining: '2', resendCooldownSeconds: '15', codeLength: '6' },
    messages: [invalid],
  },
  qriar: { attributes: {} },
  qriarInvalid: { messages: [{ key: 'smsAuthCodeInvalid' }] },
  hostile: { attributes: { maskedPhone: '<img src=x onerror=alert(1)>' } },
} satisfies Record<string, RenderJob>;
type Page = keyof typeof jobs;

const pages = new Map<string, string>();
const page = (name: Page | string): string =>
  pages.get(name) ?? assert.fail(`page ${name} was not rendered`);

before(() => {
  const missing = missingTools();
  if (missing) {
    throw new Error(`the theme tests need a JDK and FreeMarker: ${missing}`);
  }
  const locales = declaredLocales().map(
    (locale) => [`locale:${locale}`, { locale, attributes: jobs.ours.attributes }] as const,
  );
  const all = [...Object.entries(jobs), ...locales] as [string, RenderJob][];
  renderAll(all.map(([, job]) => job)).forEach((html, i) => pages.set(all[i]![0], html));
});

const codeInput = (html: string): string =>
  openingTag(html, 'code') ?? assert.fail('no input#code');
const resendButton = (html: string): string | undefined => openingTag(html, 'kc-sms-resend');

describe('login-sms.ftl rendered by FreeMarker', () => {
  it('renders the form in every declared locale with that locale’s title, label and button', () => {
    for (const locale of declaredLocales()) {
      const html = page(`locale:${locale}`);
      // visibleText collapses white space, the no-break spaces of French included.
      const text = (key: string, ...args: number[]) =>
        visibleText(messageText(locale, key, ...args));
      assert.equal(textOf(html, 'kc-page-title'), text('smsAuthTitle'), locale);
      assert.match(
        html,
        new RegExp(`<label for="code"[^>]*>\\s*<span[^>]*>${text('smsAuthLabel')}</span>`),
      );
      assert.equal(textOf(html, 'kc-login'), text('smsAuthSubmit'), locale);
      assert.equal(textOf(html, 'kc-sms-resend'), text('smsAuthResendIn', 30), locale);
    }
  });

  it('gives the code field one-time-code autofill, a numeric keyboard, a digits pattern and a label', () => {
    const input = codeInput(page('ours'));
    assert.equal(attribute(input, 'name'), 'code');
    assert.equal(attribute(input, 'autocomplete'), 'one-time-code');
    assert.equal(attribute(input, 'inputmode'), 'numeric');
    assert.equal(attribute(input, 'pattern'), '[0-9]*');
    assert.equal(attribute(input, 'autofocus'), '');
    assert.equal(attribute(input, 'aria-invalid'), undefined);
    assert.match(page('ours'), /<label for="code"/);
  });

  it('posts the form to the login action URL', () => {
    const form = openingTag(page('ours'), 'kc-sms-code-login-form') ?? assert.fail('no form');
    assert.equal(attribute(form, 'method'), 'post');
    assert.equal(
      attribute(form, 'action'),
      'https://sso.example.test/realms/demo/login-actions/authenticate?session_code=abc&amp;execution=e1',
    );
  });

  it('tells the user which masked number the code went to', () => {
    assert.equal(
      textOf(page('ours'), 'kc-sms-instruction'),
      messageText('en', 'smsAuthInstructionPhone', '+55*******717'),
    );
  });

  it('shows an invalid code under the field with the attempts left and marks the field invalid', () => {
    const html = page('invalid');
    const input = codeInput(html);
    assert.equal(attribute(input, 'aria-invalid'), 'true');
    assert.match(attribute(input, 'aria-describedby') ?? '', /\binput-error-code\b/);
    assert.equal(
      textOf(html, 'input-error-code'),
      'Incorrect code. Check the SMS and try again. 3 attempts left.',
    );
    assert.equal(attribute(openingTag(html, 'input-error-container-code')!, 'aria-live'), 'polite');
    assert.equal(
      openingTag(html, 'kc-global-message'),
      undefined,
      'a field error must not repeat in the alert',
    );
  });

  it('says so when only one attempt is left', () => {
    assert.match(textOf(page('lastAttempt'), 'input-error-code') ?? '', /1 attempt left\.$/);
  });

  it('shows the expired message on the field, or in the alert when it comes without a field', () => {
    const expired = messageText('en', 'smsAuthCodeExpired');
    assert.equal(textOf(page('expiredField'), 'input-error-code'), expired);
    assert.equal(textOf(page('expiredGlobal'), 'kc-global-message'), expired);
    assert.equal(attribute(codeInput(page('expiredGlobal')), 'aria-invalid'), undefined);
  });

  it('disables the resend button and shows the countdown while the cooldown runs', () => {
    const html = page('cooldown');
    const button = resendButton(html) ?? assert.fail('no resend button');
    assert.equal(attribute(button, 'name'), 'resend');
    assert.equal(attribute(button, 'type'), 'submit');
    assert.equal(attribute(button, 'disabled'), '');
    assert.equal(attribute(button, 'formnovalidate'), '', 'resending must not require a code');
    assert.equal(attribute(button, 'data-cooldown-seconds'), '30');
    assert.equal(attribute(button, 'data-label-wait'), 'Resend code in {0} s');
    assert.equal(textOf(html, 'kc-sms-resend'), 'Resend code in 30 s');
    assert.match(html, /<script src="[^"]*\/js\/sms-resend\.js" defer><\/script>/);
    assert.match(html, /<noscript>.*Reload this page in 30 seconds.*<\/noscript>/s);
  });

  it('enables the resend button once the cooldown is over', () => {
    const html = page('ready');
    const button = resendButton(html) ?? assert.fail('no resend button');
    assert.equal(attribute(button, 'disabled'), undefined);
    assert.equal(textOf(html, 'kc-sms-resend'), 'Resend code');
    assert.doesNotMatch(html, /sms-resend\.js/);
  });

  it('replaces the resend button with a notice when no more codes can be sent', () => {
    const html = page('exhausted');
    assert.equal(resendButton(html), undefined);
    assert.equal(
      textOf(html, 'kc-sms-resend-exhausted'),
      messageText('en', 'smsAuthResendExhausted'),
    );
  });

  it('accepts counts handed over as strings, as a script authenticator may', () => {
    const html = page('strings');
    assert.match(textOf(html, 'input-error-code') ?? '', /2 attempts left\.$/);
    assert.equal(textOf(html, 'kc-sms-resend'), 'Resend code in 15 s');
    assert.equal(attribute(codeInput(html), 'maxlength'), '6');
  });

  it('renders with only what the QriarLabs authenticator provides', () => {
    const html = page('qriar');
    assert.equal(textOf(html, 'kc-page-title'), 'SMS code');
    assert.equal(textOf(html, 'kc-sms-instruction'), messageText('en', 'smsAuthInstruction'));
    assert.equal(
      resendButton(html),
      undefined,
      'QriarLabs has no resend: a button would post an empty code',
    );
    assert.equal(openingTag(html, 'input-error-code'), undefined);
    assert.equal(attribute(codeInput(html), 'maxlength'), undefined);
  });

  it('shows the QriarLabs authenticator’s global invalid-code error in the alert', () => {
    const html = page('qriarInvalid');
    assert.equal(textOf(html, 'kc-global-message'), messageText('en', 'smsAuthCodeInvalid'));
    assert.equal(openingTag(html, 'input-error-code'), undefined);
  });

  it('escapes what the authenticator passes in', () => {
    const html = page('hostile');
    assert.doesNotMatch(html, /<img/);
    assert.match(visibleText(html), /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('keeps scripts out of the template: one external file, no inline code or handlers', () => {
    const ftl = readFileSync(join(loginThemeDir, 'login-sms.ftl'), 'utf8');
    const scripts = ftl.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]!, /\ssrc="\$\{url\.resourcesPath\}\/js\/sms-resend\.js"/);
    assert.doesNotMatch(ftl, /<script\b[^>]*>[^<\s]/, 'inline script');
    assert.doesNotMatch(ftl, /\son[a-z]+="/, 'inline event handler');
  });
});
