// `npm run bench:keycloak`: what the SMS step adds to a sign-in in a real Keycloak. One Keycloak,
// two realms made from the demo realm file: one with the SMS step in its browser flow, one with
// Keycloak's plain browser flow. Sign-ins alternate between them over HTTP (a cookie jar, no
// browser), each timed per step:
//   password   POST username + password → the next page (the code page, or the redirect home)
//   code       POST the code → the redirect home (the SMS realm only)
// added = password(sms) + code − password(plain), per pair of sign-ins; the wait for the SMS (the
// outbox read) is not counted. Writes bench/keycloak-signin.json and bench/keycloak-signin.md.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request, type APIRequestContext } from 'playwright-core';
import { startLocalRedis } from '@sms-mfa/common/redis-server';
import { buildAuthenticatorJar } from '@sms-mfa/bridge/keycloak/authenticator-jar';
import { startDeviceAuthStack } from '@sms-mfa/bridge/test/support/deviceauth-stack';
import { testPhone } from '@sms-mfa/bridge/test/support/otp-fixtures';
import { KeycloakAdmin } from '../keycloak/support/admin.js';
import {
  BRIDGE_CLIENT,
  PASSWORD,
  scriptAttributes,
  tokenRequests,
} from '../keycloak/support/keycloak-e2e.js';
import { demoRealm } from '@sms-mfa/bridge/keycloak/server/realm';
import { startKeycloak, type RunningKeycloak } from '@sms-mfa/bridge/keycloak/server/server';
import type { RedisHarness } from '../support/redis-harness.js';

const root = resolve(import.meta.dirname, '../..');
const SIGN_INS = Number(process.env['BENCH_SIGN_INS'] ?? 50);
const WARM_UP = 5;
// testPhone gives 100 distinct fictional numbers.
if (SIGN_INS + WARM_UP > 100) {throw new RangeError('BENCH_SIGN_INS must be 95 or less');}

interface Timing {
  passwordMs: number;
  codeMs: number;
}

/** The attribute `action` of the form with `id`, unescaped. */
function formAction(html: string, id: string): string {
  const tag = new RegExp(`<form[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? '';
  const action = /action="([^"]+)"/.exec(tag)?.[1];
  if (!action) {throw new Error(`no form #${id} in the page`);}
  return action.replaceAll('&amp;', '&');
}

/** One sign-in to the account console client; returns how long each step took. */
async function signIn(
  kc: RunningKeycloak,
  realm: string,
  username: string,
  code: (() => Promise<string>) | undefined,
): Promise<Timing> {
  const http: APIRequestContext = await request.newContext({ maxRedirects: 0 });
  try {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = `${kc.url}/realms/${realm}/account/`;
    const auth = await http.get(`${kc.url}/realms/${realm}/protocol/openid-connect/auth`, {
      params: {
        client_id: 'account-console',
        redirect_uri: redirect,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
    });
    const login = formAction(await auth.text(), 'kc-form-login');
    let started = performance.now();
    const afterPassword = await http.post(login, { form: { username, password: PASSWORD } });
    const passwordMs = performance.now() - started;
    if (!code) {
      if (afterPassword.status() !== 302) {throw new Error(`plain sign-in: ${afterPassword.status()}`);}
      return { passwordMs, codeMs: 0 };
    }
    const action = formAction(await afterPassword.text(), 'kc-sms-code-login-form');
    const typed = await code();
    started = performance.now();
    const done = await http.post(action, { form: { code: typed } });
    const codeMs = performance.now() - started;
    if (done.status() !== 302) {throw new Error(`SMS sign-in: ${done.status()}`);}
    return { passwordMs, codeMs };
  } finally {
    await http.dispose();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Seconds the bridge spent in its CIAM routes (the histogram's sum), from its /metrics. */
async function bridgeSeconds(bridgeUrl: string): Promise<number> {
  const text = await (await fetch(`${bridgeUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_request_duration_seconds_sum') && l.includes('deviceAuth'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

async function main(): Promise<void> {
  const redisServer = await startLocalRedis();
  const cleanups: (() => unknown)[] = [];
  const redis = {
    url: redisServer.url,
    defer: (cleanup: () => unknown) => void cleanups.push(cleanup),
  } as RedisHarness;
  const scratch = mkdtempSync(join(tmpdir(), 'kc-bench-'));
  try {
    const stack = await startDeviceAuthStack(redis, {
      RATE_PHONE_SENDS: '10000',
      RATE_IP_SENDS_PER_HOUR: '1000000',
      RATE_APP_SENDS_PER_MINUTE: '1000000',
      RATE_COUNTRY_SENDS_PER_MINUTE: '1000000',
    });
    await stack.client({ clientId: BRIDGE_CLIENT.id, brand: 'Acme' });
    const kc = await startKeycloak({
      providers: [buildAuthenticatorJar(join(scratch, 'sms-mfa-authenticator.jar'))],
    });
    cleanups.push(() => kc.stop());
    const admin = new KeycloakAdmin(kc);
    await admin.createRealm(
      demoRealm({ realm: 'sms', attributes: scriptAttributes(stack.bridge.url), fields: { users: [] } }),
    );
    await admin.createRealm(
      demoRealm({ realm: 'plain', fields: { users: [], browserFlow: 'browser' } }),
    );
    const total = WARM_UP + SIGN_INS;
    const users: { name: string; phone: string }[] = [];
    for (let i = 0; i < total; i++) {
      const phone = testPhone(i);
      const name = `bench${i}`;
      await admin.createUser('sms', { username: name, password: PASSWORD, phone });
      await admin.createUser('plain', { username: name, password: PASSWORD });
      users.push({ name, phone });
    }
    const tokensBefore = await tokenRequests(stack.bridge.url);
    const bridgeBefore = await bridgeSeconds(stack.bridge.url);
    const added: number[] = [];
    const sms: Timing[] = [];
    const plain: number[] = [];
    for (const [i, user] of users.entries()) {
      const base = await signIn(kc, 'plain', user.name, undefined);
      const step = await signIn(kc, 'sms', user.name, () => stack.codeSentTo(user.phone));
      if (i < WARM_UP) {continue;}
      plain.push(base.passwordMs);
      sms.push(step);
      added.push(step.passwordMs + step.codeMs - base.passwordMs);
    }
    const tokens = (await tokenRequests(stack.bridge.url)) - tokensBefore;
    const bridgeMs = (((await bridgeSeconds(stack.bridge.url)) - bridgeBefore) * 1000) / total;
    report(kc, { added, sms, plain, tokens, bridgeMs, signIns: total });
  } finally {
    for (const cleanup of cleanups.reverse()) {await cleanup();}
    await redisServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(
  kc: RunningKeycloak,
  r: {
    added: number[];
    sms: Timing[];
    plain: number[];
    tokens: number;
    bridgeMs: number;
    signIns: number;
  },
): void {
  const row = (name: string, values: number[]) => ({
    name,
    p50Ms: Math.round(percentile(values, 50)),
    p99Ms: Math.round(percentile(values, 99)),
  });
  const rows = [
    row('password step, plain browser flow', r.plain),
    row('password step, SMS realm (sends the code)', r.sms.map((t) => t.passwordMs)),
    row('code step, SMS realm (checks the code)', r.sms.map((t) => t.codeMs)),
    row('added by the SMS step (per sign-in)', r.added),
  ];
  const results = {
    date: new Date().toISOString(),
    keycloak: kc.version,
    signIns: r.added.length,
    tokenRequestsToBridge: r.tokens,
    bridgeMsPerSignIn: Math.round(r.bridgeMs),
    signInsMeasured: r.signIns,
    rows,
  };
  const md = [
    `# What the SMS step adds to a sign-in (Keycloak ${kc.version})`,
    '',
    `${r.added.length} sign-ins measured after ${WARM_UP} warm-up ones, alternating with sign-ins to a realm without the step; one Keycloak (start-dev), bridge and reference API (outbox) on this machine. Server time only: the wait for the SMS is not counted.`,
    '',
    '| step | p50 ms | p99 ms |',
    '| --- | ---: | ---: |',
    ...rows.map((x) => `| ${x.name} | ${x.p50Ms} | ${x.p99Ms} |`),
    '',
    `Time the bridge itself spent per SMS sign-in (send, status reads, check; mean): ${Math.round(r.bridgeMs)} ms; the rest of the added time is Keycloak's (the script is compiled on every call) and HTTP.`,
    `Token requests from Keycloak to the bridge over all ${r.signIns} SMS sign-ins: ${r.tokens}.`,
    '',
  ].join('\n');
  mkdirSync(resolve(root, 'bench'), { recursive: true });
  writeFileSync(resolve(root, 'bench/keycloak-signin.json'), JSON.stringify(results, null, 2));
  writeFileSync(resolve(root, 'bench/keycloak-signin.md'), md);
  console.log(md);
}

await main();
