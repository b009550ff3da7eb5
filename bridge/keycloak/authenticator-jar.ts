// The provider jar for Keycloak: the script authenticator compiled to ES5 (Nashorn runs deployed
// scripts as ECMAScript 5.1), its META-INF/keycloak-scripts.json, and the sms-mfa login theme, so
// one jar in providers/ brings the step, its page and its messages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { themeEntries, themeFiles } from '@sms-mfa/keycloak-theme/theme-jar';
import { withDirectories, writeZip, type ZipEntry } from '@sms-mfa/common/zip';

/** This folder (bridge/keycloak/). */
export const keycloakDir = fileURLToPath(new URL('.', import.meta.url));

/** The TypeScript source of the script authenticator. */
export const scriptSourcePath = join(keycloakDir, 'sms-authenticator.ts');

/** The script's name inside the jar; Keycloak's provider id is `script-` + this. */
export const SCRIPT_FILE = 'sms-authenticator.js';

/** The provider id an authentication flow execution names. */
export const PROVIDER_ID = `script-${SCRIPT_FILE}`;

/** Where `npm run keycloak:build -w @sms-mfa/bridge` writes the jar. */
export const defaultJarPath = join(keycloakDir, 'dist', 'sms-mfa-authenticator.jar');

/** Compiles the script to ECMAScript 5.1 with no module system (top-level `authenticate` and `action`). */
export function compileScript(source: string = readFileSync(scriptSourcePath, 'utf8')): string {
  const out = ts.transpileModule(source, {
    fileName: 'sms-authenticator.ts',
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES5,
      module: ts.ModuleKind.None,
      removeComments: false,
      sourceMap: false,
      alwaysStrict: true,
    },
  });
  // transpileModule always reports that isolatedModules wants a module system; only syntax errors (with a file) matter.
  const problems = (out.diagnostics ?? []).filter((d) => d.file !== undefined);
  if (problems.length) {
    throw new Error(
      `sms-authenticator.ts: ${ts.flattenDiagnosticMessageText(problems[0]!.messageText, '\n')}`,
    );
  }
  // The directive may follow comments: keep the script's opening block first, as a reader expects.
  return out.outputText.replace(/^"use strict";\n(\/\*[\s\S]*?\*\/\n)/, '$1"use strict";\n');
}

/** META-INF/keycloak-scripts.json, which makes Keycloak deploy the script as an authenticator. */
export function scriptsDescriptor(): ZipEntry {
  const descriptor = {
    authenticators: [
      {
        name: 'SMS code (sms-mfa)',
        fileName: SCRIPT_FILE,
        description: 'Sends a one-time code by SMS through the sms-mfa bridge and checks it.',
      },
    ],
  };
  return {
    path: 'META-INF/keycloak-scripts.json',
    data: Buffer.from(JSON.stringify(descriptor, null, 2) + '\n'),
  };
}

/**
 * The page, messages, script and stylesheet again as theme resources: Keycloak looks there when
 * the realm's login theme lacks them, so the step also works with keycloak.v2 as the login theme.
 * Static files are served only from theme-resources/resources/.
 */
export function themeResourceEntries(): ZipEntry[] {
  const prefix = 'theme/sms-mfa/login/';
  return themeFiles().flatMap((entry) => {
    const rest = entry.path.slice(prefix.length);
    if (rest === 'login-sms.ftl') {
      return [{ path: `theme-resources/templates/${rest}`, data: entry.data }];
    }
    if (rest.startsWith('messages/') || rest.startsWith('resources/')) {
      return [{ path: `theme-resources/${rest}`, data: entry.data }];
    }
    return [];
  });
}

/** Every file of the provider jar. */
export function authenticatorEntries(): ZipEntry[] {
  return [
    scriptsDescriptor(),
    { path: SCRIPT_FILE, data: Buffer.from(compileScript()) },
    ...themeEntries(),
    ...themeResourceEntries(),
  ];
}

/** Writes the provider jar and returns its path. */
export function buildAuthenticatorJar(file: string = defaultJarPath): string {
  writeZip(withDirectories(authenticatorEntries()), file);
  return file;
}
