import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { declaredLocales, messageFile, messageFiles, messages } from './support/messages.js';
import { loginThemeDir } from './support/render-template.js';

const QRIAR_KEYS = [
  'smsAuthText',
  'smsAuthTitle',
  'smsAuthLabel',
  'smsAuthInstruction',
  'smsAuthSmsNotSent',
  'smsAuthCodeExpired',
  'smsAuthCodeInvalid',
  'sms-authenticator-display-name',
  'sms-authenticator-help-text',
];

/** Every literal key the theme's templates pass to msg(...). */
function templateKeys(): string[] {
  const keys = new Set<string>();
  for (const file of readdirSync(loginThemeDir).filter((f) => f.endsWith('.ftl'))) {
    const ftl = readFileSync(join(loginThemeDir, file), 'utf8');
    for (const m of ftl.matchAll(/\bmsg\(\s*(["'])([^"']+)\1/g)) {
      keys.add(m[2]!);
    }
  }
  return [...keys].sort();
}

const sortedKeys = (locale: string) => [...messages(locale).keys()].sort();
const argumentsOf = (text: string) =>
  [...text.matchAll(/\{(\d+)\}/g)]
    .map((m) => m[1])
    .sort()
    .join(',');

describe('theme messages', () => {
  it('declares en, pt-BR, de, es and fr, each with its own message file and no file left undeclared', () => {
    assert.deepEqual(declaredLocales(), ['en', 'pt-BR', 'de', 'es', 'fr']);
    const declaredFiles = declaredLocales()
      .map((l) => messageFile(l).split('/').pop())
      .sort();
    assert.deepEqual(messageFiles().sort(), declaredFiles);
  });

  it('has the same keys in every locale', () => {
    for (const locale of declaredLocales()) {
      assert.deepEqual(sortedKeys(locale), sortedKeys('en'), locale);
    }
  });

  it('defines every key the templates use in every locale', () => {
    const used = templateKeys();
    assert.ok(used.length >= 10, `found only ${used.join(', ')}`);
    for (const locale of declaredLocales()) {
      const missing = used.filter((k) => !messages(locale).has(k));
      assert.deepEqual(missing, [], `${locale} lacks ${missing.join(', ')}`);
    }
  });

  it('keeps every QriarLabs key, with smsAuthText ready for String.format', () => {
    for (const locale of declaredLocales()) {
      for (const key of QRIAR_KEYS) {
        assert.ok(messages(locale).get(key), `${locale} lacks ${key}`);
      }
      const text = messages(locale).get('smsAuthText')!;
      assert.ok(text.includes('%1$s') && text.includes('%2$d'), `${locale} smsAuthText: ${text}`);
    }
    assert.equal(
      messages('en').get('smsAuthText'),
      'Your SMS code is %1$s and is valid for %2$d minutes.',
    );
    assert.equal(
      argumentsOf(messages('en').get('smsAuthSmsNotSent')!),
      '0',
      'the cause goes in {0}',
    );
  });

  it('uses the same plain arguments in every locale and nothing else MessageFormat would interpret', () => {
    for (const locale of declaredLocales()) {
      for (const [key, text] of messages(locale)) {
        if (key === 'smsAuthText') {
          continue;
        } // String.format, not MessageFormat
        assert.doesNotMatch(
          text,
          /\{(?!\d+\})|(?<!\{\d+)\}/,
          `${locale} ${key}: only {n} arguments`,
        );
        assert.doesNotMatch(
          text.replace(/''/g, ''),
          /'/,
          `${locale} ${key}: a lone ' vanishes in MessageFormat`,
        );
        assert.equal(
          argumentsOf(text),
          argumentsOf(messages('en').get(key)!),
          `${locale} ${key}: arguments`,
        );
      }
    }
  });

  it('stores the files as UTF-8 and marks them so for Keycloak 22 and older', () => {
    for (const locale of declaredLocales()) {
      const bytes = readFileSync(messageFile(locale));
      assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), locale);
      assert.ok(bytes.toString('utf8').startsWith('# encoding: UTF-8\n'), `${locale}: first line`);
    }
  });
});
