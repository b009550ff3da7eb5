import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'acorn';
import ts from 'typescript';
import { readZip } from '@sms-mfa/common/zip';
import {
  buildAuthenticatorJar,
  compileScript,
  keycloakDir,
  PROVIDER_ID,
  SCRIPT_FILE,
} from '../../keycloak/authenticator-jar.js';

describe('the compiled script authenticator', () => {
  const script = compileScript();

  it('parses as ECMAScript 5.1, which is what Nashorn runs', () => {
    assert.doesNotThrow(() => parse(script, { ecmaVersion: 5 }));
    assert.throws(
      () => parse('var f = () => 1;', { ecmaVersion: 5 }),
      'the check itself rejects ES2015',
    );
  });

  it('declares authenticate and action at the top level, as ScriptBasedAuthenticator invokes them', () => {
    const program = parse(script, { ecmaVersion: 5 }) as unknown as {
      body: { type: string; id?: { name: string } }[];
    };
    const functions = program.body
      .filter((n) => n.type === 'FunctionDeclaration')
      .map((n) => n.id?.name);
    assert.ok(functions.includes('authenticate') && functions.includes('action'));
  });

  it('opens with the block that names its inputs, the endpoints it calls and its outcomes', () => {
    assert.match(script, /^\/\*\n \* sms-mfa: a Keycloak script authenticator/);
    const header = script.slice(0, script.indexOf('*/'));
    for (const word of [
      'INPUTS',
      'ENDPOINTS',
      'OUTCOMES',
      'smsMfaBridgeUrl',
      'SMS_MFA_CLIENT_ID',
      '/ciam-mfa/v2/deviceAuthentications',
    ]) {
      assert.ok(header.includes(word), word);
    }
  });

  it('type-checks against the ES5 library alone', () => {
    const configPath = join(keycloakDir, 'tsconfig.json');
    const config = ts.parseJsonConfigFileContent(
      ts.readConfigFile(configPath, ts.sys.readFile).config,
      ts.sys,
      keycloakDir,
    );
    const program = ts.createProgram(config.fileNames, config.options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(problems, []);
  });
});

describe('the provider jar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-jar-'));
  const file = buildAuthenticatorJar(join(dir, 'sms-mfa-authenticator.jar'));
  const entries = new Map(readZip(readFileSync(file)).map((e) => [e.path, e.data]));
  const json = (path: string) => JSON.parse(entries.get(path)?.toString('utf8') ?? 'null');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

  it('names the script in META-INF/keycloak-scripts.json, so Keycloak deploys it as script-sms-authenticator.js', () => {
    const descriptor = json('META-INF/keycloak-scripts.json');
    assert.deepEqual(
      descriptor.authenticators.map((a: { fileName: string }) => a.fileName),
      [SCRIPT_FILE],
    );
    assert.equal(PROVIDER_ID, 'script-sms-authenticator.js');
    assert.ok(descriptor.authenticators[0].name && descriptor.authenticators[0].description);
  });

  it('carries the compiled script itself', () => {
    assert.equal(entries.get(SCRIPT_FILE)?.toString('utf8'), compileScript());
  });

  it('carries the sms-mfa login theme and its descriptor', () => {
    assert.deepEqual(json('META-INF/keycloak-themes.json'), {
      themes: [{ name: 'sms-mfa', types: ['login'] }],
    });
    for (const path of [
      'theme/sms-mfa/login/theme.properties',
      'theme/sms-mfa/login/login-sms.ftl',
      'theme/sms-mfa/login/messages/messages_en.properties',
    ]) {
      assert.ok(entries.has(path), path);
    }
  });

  it('carries the page, messages, script and stylesheet as theme resources too, for realms that keep keycloak.v2', () => {
    assert.ok(entries.has('theme-resources/templates/login-sms.ftl'));
    // Keycloak serves a provider jar's static files only from theme-resources/resources/.
    assert.ok(entries.has('theme-resources/resources/js/sms-resend.js'));
    assert.ok(entries.has('theme-resources/resources/css/sms-mfa.css'));
    assert.match(
      entries.get('theme-resources/messages/messages_en.properties')?.toString('utf8') ?? '',
      /^smsAuthNoPhone=/m,
    );
  });
});
