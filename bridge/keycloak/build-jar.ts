// Builds bridge/keycloak/dist/sms-mfa-authenticator.jar: copy it into Keycloak's providers/, run
// `kc.sh build --features=scripts`, then add the step "SMS code (sms-mfa)" to a browser flow.
import { relative } from 'node:path';
import { authenticatorEntries, buildAuthenticatorJar, PROVIDER_ID } from './authenticator-jar.js';

const file = buildAuthenticatorJar(process.argv[2]);
console.log(
  `wrote ${relative(process.cwd(), file) || file} (${authenticatorEntries().length} files, provider id ${PROVIDER_ID})`,
);
