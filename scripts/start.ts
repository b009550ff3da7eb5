// `npm start`: the embedded default. Starts a local redis-server (unless REDIS_URL is set), the
// reference API, its worker and the bridge (scripts/stack.ts), prints where everything is, and
// stops it all on Ctrl-C / SIGTERM.
import { resolve } from 'node:path';
import { runLauncher, startStack, type Stack } from './stack.js';

function printBanner(stack: Stack): void {
  const ref = `http://localhost:${stack.referencePort}`;
  const bridge = `http://localhost:${stack.bridgePort}`;
  const { id, secret } = stack.demo;
  const lines = [
    '',
    'sms-mfa is running (embedded default: outbox provider, nothing leaves this machine)',
    `  redis           ${stack.redisUrl}${stack.redisDataDir ? `  (data in ${resolve(stack.redisDataDir)}, append-only)` : ''}`,
    `  reference API   ${ref}   POST /api/sms, POST /v1/messages, GET /dev/outbox, /openapi.json`,
    `  worker          sending through PROVIDERS=${process.env['PROVIDERS'] ?? 'outbox'}`,
    `  bridge          ${bridge}   CIAM MFA API v2, token issuer (realm mfa), /demo`,
    `  demo client     client_id=${id}  client_secret=${secret}`,
    `  admin           ${bridge}/admin   client_id=${stack.admin.id}  client_secret=${stack.admin.secret}  (overview, admin API)`,
    '',
    'Try it:',
    `  TOKEN=$(curl -s -u ${id}:${secret} -d grant_type=client_credentials ${bridge}/realms/mfa/protocol/openid-connect/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
    `  AUTH=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"userName":"jdoe","phoneNumber":"+91-8212345212","deviceType":"sms"}' ${bridge}/ciam-mfa/v2/deviceAuthentications | sed 's/.*"authId":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s '${ref}/dev/outbox?to=%2B918212345212&limit=1'      # read the code`,
    `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"otp":"<code>","deviceType":"SMS"}' ${bridge}/ciam-mfa/v2/deviceAuthentications/$AUTH`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

runLauncher(async () => {
  const stack = await startStack();
  stack.onCrash((name, how) => {
    console.error(`\n${name} exited (${how}); stopping everything.`);
    void stack.stop().then(() => process.exit(1));
  });
  printBanner(stack);
  return { shutdown: () => stack.stop() };
});
