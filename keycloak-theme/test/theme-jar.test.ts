import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildThemeJar,
  THEME_NAME,
  themeDescriptor,
  themeEntries,
  themeFiles,
} from '../src/theme-jar.js';
import { listZip, readZip, zip } from '@sms-mfa/common/zip';

const work = mkdtempSync(join(tmpdir(), 'sms-mfa-theme-jar-'));
after(() => rmSync(work, { recursive: true, force: true }));

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the theme jar', () => {
  const jar = buildThemeJar(join(work, 'sms-mfa-theme.jar'));
  const entries = new Map(readZip(readFileSync(jar)).map((e) => [e.path, e.data]));

  it('holds the theme descriptor Keycloak looks for', () => {
    const descriptor = JSON.parse(entries.get('META-INF/keycloak-themes.json')!.toString('utf8'));
    assert.deepEqual(descriptor, { themes: [{ name: 'sms-mfa', types: ['login'] }] });
  });

  it('holds every theme file, byte for byte, under theme/sms-mfa/login/', () => {
    const files = themeFiles();
    for (const file of files) {
      assert.deepEqual(entries.get(file.path), file.data, file.path);
    }
    const paths = files.map((f) => f.path);
    for (const expected of [
      'theme.properties',
      'login-sms.ftl',
      'messages/messages_en.properties',
      'messages/messages_pt_BR.properties',
      'messages/messages_de.properties',
      'messages/messages_es.properties',
      'messages/messages_fr.properties',
      'resources/css/sms-mfa.css',
      'resources/js/sms-resend.js',
    ]) {
      assert.ok(paths.includes(`theme/${THEME_NAME}/login/${expected}`), expected);
    }
  });

  it(
    'is a zip that unzip and the JDK’s jar tool both read',
    { skip: !has('unzip') && !has('jar') },
    () => {
      if (has('unzip')) {
        assert.match(
          execFileSync('unzip', ['-t', jar], { encoding: 'utf8' }),
          /No errors detected/,
        );
        const listed = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).trim().split('\n');
        assert.deepEqual(
          listed,
          listZip(readFileSync(jar)).map((e) => e.path),
        );
      }
      if (has('jar')) {
        const listed = execFileSync('jar', ['tf', jar], { encoding: 'utf8' });
        assert.match(listed, /^META-INF\/keycloak-themes\.json$/m);
        assert.match(listed, /^theme\/sms-mfa\/login\/login-sms\.ftl$/m);
      }
    },
  );

  it('comes out byte-identical from the same files', () => {
    const again = buildThemeJar(join(work, 'again.jar'));
    assert.deepEqual(readFileSync(again), readFileSync(jar));
  });

  it('gives other builds the descriptor and the theme files to put in their own jar', () => {
    const list = themeEntries();
    assert.deepEqual(list[0], themeDescriptor());
    assert.ok(list.slice(1).every((e) => e.path.startsWith(`theme/${THEME_NAME}/login/`)));
    const combined = readZip(
      zip([...list, { path: 'META-INF/keycloak-scripts.json', data: Buffer.from('{}') }]),
    );
    assert.equal(combined.length, list.length + 1);
  });
});
