// `npm run keycloak`: the embedded default (npm start) plus a real Keycloak on :8080 with the realm
// `sms-demo` imported: the SMS step in its browser flow, the sms-mfa login theme, user jdoe / demo
// with a mobile_number. Keycloak signs in to the bridge as the demo client, whose secret it reads
// from its file vault. Keycloak's data is thrown away when it stops; the realm is imported afresh
// at every start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuthenticatorJar } from '@sms-mfa/bridge/keycloak/authenticator-jar';
import {
  demoRealm,
  SECRET_VAULT_KEY,
  vaultEntryName,
  writeRealmFile,
} from '@sms-mfa/bridge/keycloak/server/realm';
import {
  KeycloakSetupError,
  KEYCLOAK_VERSION,
  requireJavaAndMaven,
  startKeycloak,
  type RunningKeycloak,
} from '@sms-mfa/bridge/keycloak/server/server';
import { requireFreePort, runLauncher, startStack, StartError, type Stack } from './stack.js';

const REALM = 'sms-demo';

function banner(stack: Stack, kc: RunningKeycloak, url: string): string {
  const outbox = `http://localhost:${stack.referencePort}/dev/outbox`;
  return [
    '',
    `Keycloak ${kc.version} is running with the SMS step (and the sms-mfa stack behind it)`,
    `  Keycloak        ${url}   admin console ${url}/admin   user admin   password ${kc.admin.password}`,
    `  realm           ${REALM}: flow "browser with sms", login theme sms-mfa`,
    `  bridge          http://localhost:${stack.bridgePort}   Keycloak signs in as ${stack.demo.id} (secret in Keycloak's vault)`,
    `  reference API   http://localhost:${stack.referencePort}   sending through PROVIDERS=${process.env['PROVIDERS'] ?? 'outbox'}`,
    '',
    'Sign in as a user would:',
    `  1. open ${url}/realms/${REALM}/account`,
    '  2. sign in as jdoe / demo',
    `  3. the code is in the dev outbox: ${outbox}   (curl -s ${outbox})`,
    '  4. enter it, press Verify: the account console shows Personal info',
    '',
    `Keycloak's log: ${kc.logFile}. Its data is thrown away on stop. Ctrl-C stops everything.`,
    '',
  ].join('\n');
}

async function main(): Promise<{ shutdown(): Promise<void> }> {
  const port = Number(process.env['KEYCLOAK_PORT'] ?? 8080);
  await requireFreePort(port, 'KEYCLOAK_PORT');
  requireJavaAndMaven();
  const stack = await startStack();
  const scratch = mkdtempSync(join(tmpdir(), 'sms-mfa-keycloak-'));
  let kc: RunningKeycloak | undefined;
  const shutdown = async () => {
    await kc?.stop();
    await stack.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  stack.onCrash((name, how) => {
    console.error(`\n${name} exited (${how}); stopping everything.`);
    void shutdown().then(() => process.exit(1));
  });
  try {
    const realm = demoRealm({
      attributes: {
        smsMfaBridgeUrl: `http://localhost:${stack.bridgePort}`,
        smsMfaClientId: stack.demo.id,
        smsMfaClientSecret: `\${vault.${SECRET_VAULT_KEY}}`,
      },
    });
    console.log(`starting Keycloak ${KEYCLOAK_VERSION} on port ${port} (a minute or two)…`);
    kc = await startKeycloak({
      port,
      providers: [buildAuthenticatorJar(join(scratch, 'sms-mfa-authenticator.jar'))],
      realmFiles: [writeRealmFile(join(scratch, `${REALM}.json`), realm)],
      vault: { [vaultEntryName(REALM, SECRET_VAULT_KEY)]: stack.demo.secret },
      ...(process.env['KEYCLOAK_ADMIN_PASSWORD']
        ? { adminPassword: process.env['KEYCLOAK_ADMIN_PASSWORD'] }
        : {}),
    });
  } catch (err) {
    await shutdown();
    throw err instanceof KeycloakSetupError ? new StartError(err.message) : err;
  }
  console.log(banner(stack, kc, `http://localhost:${port}`));
  return { shutdown };
}

runLauncher(main);
