// The sms-mfa login theme as jar entries, for our own theme jar and for any provider jar that
// should carry the theme too (Keycloak finds themes in any jar in providers/ that lists them in
// META-INF/keycloak-themes.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirectories, writeZip, type ZipEntry } from '@sms-mfa/common/zip';

/** The theme's name, as a realm's login theme setting names it. */
export const THEME_NAME = 'sms-mfa';

/** The workspace folder (keycloak-theme/). */
export const workspaceDir = fileURLToPath(new URL('..', import.meta.url));

/** The folder that holds `sms-mfa/login/**`, laid out as inside the jar under `theme/`. */
export const themesDir = join(workspaceDir, 'theme');

/** Where `npm run build` writes the theme jar. */
export const defaultJarPath = join(workspaceDir, 'dist', `${THEME_NAME}-theme.jar`);

/** The descriptor that makes Keycloak load the theme from a jar. */
export function themeDescriptor(): ZipEntry {
  const descriptor = { themes: [{ name: THEME_NAME, types: ['login'] }] };
  return {
    path: 'META-INF/keycloak-themes.json',
    data: Buffer.from(JSON.stringify(descriptor, null, 2) + '\n'),
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]))
    .sort();
}

/** Every file of the theme as `theme/sms-mfa/login/...` entries, sorted. */
export function themeFiles(): ZipEntry[] {
  return walk(join(themesDir, THEME_NAME)).map((file) => ({
    path: ['theme', ...relative(themesDir, file).split(sep)].join('/'),
    data: readFileSync(file),
  }));
}

/** The descriptor plus every theme file: add these to another provider jar to ship the theme in it. */
export function themeEntries(): ZipEntry[] {
  return [themeDescriptor(), ...themeFiles()];
}

/** Writes the stand-alone theme jar and returns its path. */
export function buildThemeJar(file: string = defaultJarPath): string {
  writeZip(withDirectories(themeEntries()), file);
  return file;
}
