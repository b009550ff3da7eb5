// The whole product on a Redis Cluster, as production runs it: per process set, a bridge, a
// reference API (--role api) and a worker (--role worker), each its own Node process, all sharing
// one cluster and one fake Twilio (in this process) that "delivers" the codes. Used by the cluster
// spread and failover tests and by the cluster benchmark.
import { clientToken } from './bridge-token.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startTwilioFake,
  type TwilioFake,
} from '@sms-mfa/reference-api/test/providers/twilio/twilio.fake';
import { startProcess, type Started } from './processes.js';

const ACCOUNT_SID = `AC${'c'.repeat(32)}`;
const AUTH_TOKEN = 'cluster-stack-token';
const CLIENT = { id: 'cluster-app', secret: 'cluster-secret-0123456789' };
const UNLIMITED = '1000000';
const API_READY = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/;
const BRIDGE_READY = /"url":"http:\/\/(?:127\.0\.0\.1|localhost):(\d+)"/;

/** Options for {@link startClusterStack}. */
export interface ClusterStackOptions {
  /** REDIS_CLUSTER_NODES for every process. */
  readonly seeds: string;
  /** How many bridge + API + worker sets share the cluster (default 1). */
  readonly sets?: number;
  /** Variables for every process (REDIS_WAIT_REPLICAS, QUEUE_SHARDS, …). */
  readonly env?: Record<string, string>;
}

/** One bridge with the reference API and worker behind it. */
export interface ProcessSet {
  readonly bridgeUrl: string;
  readonly apiUrl: string;
  readonly processes: readonly Started[];
}

/** The running stack. */
export interface ClusterStack {
  readonly sets: readonly ProcessSet[];
  readonly twilio: TwilioFake;
  /** A bearer token for the bridge's CIAM API at `bridgeUrl` (client credentials). */
  token(bridgeUrl: string): Promise<string>;
  /** Resolves with the code the fake Twilio received for `phone` (waits up to `timeoutMs`). */
  codeSentTo(phone: string, timeoutMs?: number): Promise<string>;
  /** How many messages the fake Twilio received for `phone`. */
  deliveredTo(phone: string): number;
  /** The warn and error lines every process logged so far, oldest first, each after its process's name: why a request failed. */
  problems(): string[];
  stop(): Promise<void>;
}

/** Starts `sets` process sets on the cluster and the fake Twilio they deliver to. */
export async function startClusterStack(options: ClusterStackOptions): Promise<ClusterStack> {
  const twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'cluster-stack-'));
  const started: Started[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await twilio.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sets: ProcessSet[] = [];
    for (let i = 0; i < (options.sets ?? 1); i++) {
      sets.push(await startSet(options, twilio.url, join(dataDir, String(i)), started));
    }
    return {
      sets,
      twilio,
      stop,
      ...codeReader(twilio),
      token: (bridgeUrl: string) => clientToken(bridgeUrl, CLIENT),
      problems: () =>
        sets
          .flatMap((set, i) => problemsOf(set, i))
          .sort((a, b) => timestampOf(a).localeCompare(timestampOf(b))),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const PROCESS_NAMES = ['bridge', 'reference API', 'worker'];

const timestampOf = (line: string) => /"timestamp":"([^"]+)"/.exec(line)?.[1] ?? '';

function problemsOf(set: ProcessSet, index: number): string[] {
  return set.processes.flatMap((p, j) =>
    p
      .output()
      .split('\n')
      .filter((line) => /"level":"(warn|error)"/.test(line))
      .map((line) => `set ${index + 1} ${PROCESS_NAMES[j]}: ${line}`),
  );
}

async function startSet(
  options: ClusterStackOptions,
  twilioUrl: string,
  dataDir: string,
  started: Started[],
): Promise<ProcessSet> {
  const common = {
    REDIS_CLUSTER_NODES: options.seeds,
    DATA_DIR: dataDir,
    ...options.env,
  };
  const reference = {
    ...common,
    PROVIDERS: 'twilio',
    TWILIO_BASE_URL: twilioUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: '+15005550006',
    REFERENCE_API_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const [api, worker] = await Promise.all([
    startProcess('reference-api/src/start.ts', ['--role', 'api'], reference, API_READY),
    startProcess('reference-api/src/start.ts', ['--role', 'worker'], reference, /started/),
  ]);
  started.push(api, worker);
  const apiUrl = `http://127.0.0.1:${api.port}`;
  const bridge = await startProcess(
    'bridge/src/start.ts',
    [],
    bridgeEnv(common, apiUrl),
    BRIDGE_READY,
  );
  started.push(bridge);
  return { bridgeUrl: `http://127.0.0.1:${bridge.port}`, apiUrl, processes: [bridge, api, worker] };
}

function bridgeEnv(common: Record<string, string>, apiUrl: string): Record<string, string> {
  return {
    BRIDGE_PORT: '0',
    LOG_LEVEL: 'info',
    REFERENCE_API_URL: apiUrl,
    // Every bridge of the stack opens the same sealed keys and knows the same client.
    BRIDGE_SECRET: 'cluster-stack-secret-0123456789abcdef',
    BRIDGE_DEMO_CLIENT_ID: CLIENT.id,
    BRIDGE_DEMO_CLIENT_SECRET: CLIENT.secret,
    BRIDGE_DEMO_ENABLED: 'false',
    // The load is many sign-ins from one address and one country: the abuse limits would refuse it.
    RATE_PHONE_SENDS: '10000',
    RATE_APP_SENDS_PER_MINUTE: UNLIMITED,
    RATE_COUNTRY_SENDS_PER_MINUTE: UNLIMITED,
    RATE_IP_SENDS_PER_HOUR: UNLIMITED,
    RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '10000',
    RATE_APP_VALIDATIONS_PER_MINUTE: UNLIMITED,
    // Hundreds of codes go out before the first comes back: the pumping guard would see a
    // conversion near 0 and quarantine +55 11; it still counts (its commands are part of the load).
    PUMPING_MIN_SENDS: UNLIMITED,
    ...common,
  };
}

/** Reads the fake's messages once each, into codes by destination. */
function codeReader(twilio: TwilioFake): Pick<ClusterStack, 'codeSentTo' | 'deliveredTo'> {
  const byPhone = new Map<string, string[]>();
  let seen = 0;
  const catchUp = () => {
    for (; seen < twilio.messages.length; seen++) {
      const { form } = twilio.messages[seen]!;
      const to = form['To'] ?? '';
      byPhone.set(to, [...(byPhone.get(to) ?? []), form['Body'] ?? '']);
    }
  };
  return {
    async codeSentTo(phone, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        catchUp();
        const code = /\b(\d{4,10})\b/.exec(byPhone.get(phone)?.at(-1) ?? '')?.[1];
        if (code) {
          return code;
        }
        if (Date.now() > deadline) {
          throw new Error(`no code arrived for ${phone.slice(0, 6)}…`);
        }
        await sleep(10);
      }
    },
    deliveredTo(phone) {
      catchUp();
      return byPhone.get(phone)?.length ?? 0;
    },
  };
}

let serial = 0;
/** A distinct valid Brazilian mobile number per call (`offset` keeps concurrent users apart). */
export function nextPhone(offset = 0): string {
  serial += 1;
  return `+55119${String(60_000_000 + offset + serial).padStart(8, '0')}`;
}

/** One sign-in through the bridge's CIAM API: request a code, read it from the phone, validate it. */
export async function signIn(
  stack: ClusterStack,
  bridgeUrl: string,
  bearer: string,
  user: string,
  phone: string,
): Promise<void> {
  const headers = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
  const base = `${bridgeUrl}/ciam-mfa/v2/deviceAuthentications`;
  const sent = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ userName: user, phoneNumber: phone, deviceType: 'sms' }),
  });
  const body = (await sent.json()) as { authId?: string; code?: string };
  if (sent.status !== 201 || !body.authId) {
    throw new Error(`request code: HTTP ${sent.status} ${body.code ?? ''}`);
  }
  // a code may wait behind a busy worker on a loaded machine; lost is what this must catch, not late
  const otp = await stack.codeSentTo(phone, 30_000);
  const checked = await fetch(`${base}/${body.authId}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ otp, deviceType: 'SMS' }),
  });
  await checked.arrayBuffer();
  if (checked.status !== 200) {
    throw new Error(`validate code: HTTP ${checked.status}`);
  }
}
