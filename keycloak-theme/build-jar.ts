// Builds dist/sms-mfa-theme.jar: drop it into Keycloak's providers/ folder, run `kc.sh build`,
// then pick "sms-mfa" as the realm's login theme.
import { relative } from 'node:path';
import { buildThemeJar, themeEntries } from './src/theme-jar.js';

const file = buildThemeJar(process.argv[2]);
console.log(`wrote ${relative(process.cwd(), file) || file} (${themeEntries().length} files)`);
