// Redis over TLS with a private CA, as issue 13 promises it: the bridge, the reference API, its
// worker and the apps CLI as child processes on a TLS-only Redis Cluster (rediss:// seeds, a
// password, REDIS_TLS_CA_FILE) and on one TLS-only Redis (REDIS_URL=rediss://), each again asking
// for a client certificate (`tls-auth-clients yes`, Redis' default: REDIS_TLS_CERT_FILE and
// REDIS_TLS_KEY_FILE), and the mistakes a user can make answered in one line. Starts its own
// Redis: not run again in the cluster pass.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRedis } from '@sms-mfa/common/redis-client';
import { freePort, startLocalRedis, type LocalRedis } from '@sms-mfa/common/redis-server';
import { untilRedisReady } from '@sms-mfa/common/redis-start';
import { clientToken } from '../support/bridge-token.js';
import { outboxReader } from '../support/outbox-reader.js';
import { runToExit, startProcess, type Ended } from '../support/processes.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { makeTestCertificates, type TlsFiles } from '../support/tls-certs.js';

const PASSWORD = 'tls-test-password-7f3a9c';
const WRONG_PASSWORD = 'not-the-password-41c2';
const API_KEY = 'tls-test-api-key-0123456789';
const CLIENT = { id: 'tls-app', secret: 'tls-app-secret-0123456789' };
const API_READY = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/;
const BRIDGE_READY = /"url":"http:\/\/(?:127\.0\.0\.1|localhost):(\d+)"/;
const STACK_TRACE = /^\s+at /m;

describe('Redis over TLS with a private CA', () => {
  let dir: string;
  let cluster: RedisCluster;
  let server: LocalRedis;
  let serverTls: TlsFiles;
  let clusterEnv: Record<string, string>;
  let serverEnv: Record<string, string>;
  // the same, asking every client for a certificate; and a client certificate of another CA
  let certCluster: RedisCluster;
  let certServer: LocalRedis;
  let otherCa: TlsFiles;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
    mkdirSync(join(dir, 'other-ca'));
    [serverTls, otherCa] = await Promise.all([
      makeTestCertificates(dir),
      makeTestCertificates(join(dir, 'other-ca')),
    ]);
    const serverCerts = { ...serverTls, requireClientCertificates: true };
    [cluster, server, certCluster, certServer] = await Promise.all([
      startRedisCluster({ tls: true, password: PASSWORD }),
      startLocalRedis({ tls: serverTls, password: PASSWORD }),
      startRedisCluster({ tls: true, password: PASSWORD, requireClientCertificates: true }),
      startLocalRedis({ tls: serverCerts, password: PASSWORD }),
    ]);
    clusterEnv = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_PASSWORD: PASSWORD,
      REDIS_TLS_CA_FILE: cluster.tls!.caFile,
    };
    serverEnv = { REDIS_URL: server.url, REDIS_PASSWORD: PASSWORD };
  });
  after(async () => {
    await Promise.all([cluster?.stop(), server?.stop(), certCluster?.stop(), certServer?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs a user in through every service on a TLS Redis Cluster of 3 masters and 3 replicas', async () => {
    assert.match(cluster.seeds, /^rediss:\/\/127\.0\.0\.1:\d+(,rediss:\/\/127\.0\.0\.1:\d+){5}$/);
    const services = await startServices(clusterEnv, join(dir, 'cluster'));
    try {
      await signIn(services, '+5511966190001');
      const apps = await runToExit('bridge/src/cli/apps.ts', ['list'], {
        ...clusterEnv,
        DATA_DIR: join(dir, 'cluster'),
      });
      assert.equal(apps.code, 0, apps.output);
      assert.match(apps.output, new RegExp(CLIENT.id));
    } finally {
      await services.stop();
    }
  });

  it('signs a user in through the bridge and the reference API with its worker on one TLS Redis (REDIS_URL=rediss://)', async () => {
    assert.match(server.url, /^rediss:\/\/127\.0\.0\.1:\d+$/);
    const env = { ...serverEnv, REDIS_TLS_CA_FILE: serverTls.caFile };
    const services = await startServices(env, join(dir, 'server'), 'all');
    try {
      await signIn(services, '+5511966190002');
    } finally {
      await services.stop();
    }
  });

  it('signs a user in on one TLS Redis that asks for a client certificate, given REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, and lists apps there', async () => {
    const env = {
      REDIS_URL: certServer.url,
      ...certificateEnv(serverTls),
      REDIS_PASSWORD: PASSWORD,
    };
    const dataDir = join(dir, 'cert-server');
    const services = await startServices(env, dataDir, 'all');
    try {
      await signIn(services, '+5511966190003');
      const apps = await runToExit('bridge/src/cli/apps.ts', ['list'], {
        ...env,
        DATA_DIR: dataDir,
      });
      assert.equal(apps.code, 0, apps.output);
      assert.match(apps.output, new RegExp(CLIENT.id));
    } finally {
      await services.stop();
    }
  });

  it('signs a user in through every service on a TLS Redis Cluster whose nodes ask for a client certificate', async () => {
    const env = {
      REDIS_CLUSTER_NODES: certCluster.seeds,
      ...certificateEnv(certCluster.tls!),
      REDIS_PASSWORD: PASSWORD,
    };
    const services = await startServices(env, join(dir, 'cert-cluster'));
    try {
      await signIn(services, '+5511966190004');
    } finally {
      await services.stop();
    }
  });

  describe('what a user gets wrong, answered in one line', { concurrency: true }, () => {
    it('says the certificate of a TLS cluster cannot be verified without REDIS_TLS_CA_FILE', async () => {
      const noCa = { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_PASSWORD: PASSWORD };
      const worker = await failingStart('reference-api/src/start.ts', ['--role', 'worker'], noCa);
      assertOneLine(
        worker,
        /^cannot verify the TLS certificate of the Redis Cluster at rediss:\/\/127\.0\.0\.1:\d+.* \([^)]+\): set REDIS_TLS_CA_FILE to the PEM file of the CA that signed it$/m,
      );
    });

    it('says a wrong password was refused by the cluster, without showing it', async () => {
      const bridge = await failingStart('bridge/src/start.ts', [], {
        ...clusterEnv,
        REDIS_PASSWORD: WRONG_PASSWORD,
        BRIDGE_PORT: '0',
      });
      assertOneLine(
        bridge,
        /^the Redis Cluster at rediss:\/\/127\.0\.0\.1:\d+.* refused the password: check REDIS_PASSWORD \(or REDIS_PASSWORD_FILE\)$/m,
      );
    });

    it('names a REDIS_TLS_CA_FILE that does not exist, and what to give instead', async () => {
      const missing = join(dir, 'no-such-ca.pem');
      const api = await failingStart('reference-api/src/start.ts', ['--role', 'api'], {
        ...serverEnv,
        REDIS_TLS_CA_FILE: missing,
        REFERENCE_API_PORT: '0',
      });
      assertOneLine(
        api,
        `  - REDIS_TLS_CA_FILE: cannot read ${missing} (ENOENT): give the PEM file of the CA that signed your Redis' certificate`,
      );
    });

    it('says a TLS Redis or Cluster asks for a client certificate when REDIS_TLS_CERT_FILE is not set', async () => {
      const toDo = 'set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE';
      const [api, worker] = await Promise.all([
        failingStart('reference-api/src/start.ts', ['--role', 'api'], {
          REDIS_URL: certServer.url,
          REDIS_PASSWORD: PASSWORD,
          REDIS_TLS_CA_FILE: serverTls.caFile,
          REFERENCE_API_PORT: '0',
        }),
        failingStart('reference-api/src/start.ts', ['--role', 'worker'], {
          REDIS_CLUSTER_NODES: certCluster.seeds,
          REDIS_PASSWORD: PASSWORD,
          REDIS_TLS_CA_FILE: certCluster.tls!.caFile,
        }),
      ]);
      assertOneLine(
        api,
        `Redis at rediss://***@127.0.0.1:${certServer.port} asks for a TLS client certificate (tlsv13 alert certificate required): ${toDo}`,
      );
      assertOneLine(
        worker,
        `the Redis Cluster at ${certCluster.seeds} asks for a TLS client certificate (tlsv13 alert certificate required): ${toDo}`,
      );
    });

    it('says a TLS Redis or Cluster did not accept a client certificate another CA signed', async () => {
      const refused =
        'did not accept the TLS client certificate in REDIS_TLS_CERT_FILE (tlsv1 alert unknown ca): give one that is still valid and signed by a CA in its tls-ca-cert-file';
      const [bridge, worker] = await Promise.all([
        failingStart('bridge/src/start.ts', [], {
          REDIS_URL: certServer.url,
          ...certificateEnv(serverTls, otherCa),
          REDIS_PASSWORD: PASSWORD,
          BRIDGE_PORT: '0',
        }),
        failingStart('reference-api/src/start.ts', ['--role', 'worker'], {
          REDIS_CLUSTER_NODES: certCluster.seeds,
          ...certificateEnv(certCluster.tls!, otherCa),
          REDIS_PASSWORD: PASSWORD,
        }),
      ]);
      assertOneLine(bridge, `Redis at rediss://***@127.0.0.1:${certServer.port} ${refused}`);
      assertOneLine(worker, `the Redis Cluster at ${certCluster.seeds} ${refused}`);
    });

    // the same start-up check as the services', in this process (a service process costs seconds)
    it('says the same of one TLS Redis: no REDIS_TLS_CA_FILE, a wrong password', async () => {
      const where = `Redis at rediss://***@127.0.0.1:${server.port}`;
      await assert.rejects(ready({ url: withPassword(server.url, PASSWORD) }), {
        name: 'RedisStartError',
        message: new RegExp(
          `^cannot verify the TLS certificate of ${escape(where)} \\([^)]+\\): set REDIS_TLS_CA_FILE to the PEM file of the CA that signed it$`,
        ),
      });
      const tlsCa = readFileSync(serverTls.caFile, 'utf8');
      await assert.rejects(ready({ url: withPassword(server.url, WRONG_PASSWORD), tlsCa }), {
        name: 'RedisStartError',
        message: `${where} refused the password: check REDIS_PASSWORD (or REDIS_PASSWORD_FILE)`,
      });
      await ready({ url: withPassword(server.url, PASSWORD), tlsCa });
    });
  });
});

// A start that fails waits out the client's retries first (about 15 s for a cluster); with a dozen
// processes starting at once beside a loaded test run, 30 s was seen to run out.
const FAILING_START_LIMIT_MS = 90_000;

/** Runs a service that must fail to start, to its exit. */
function failingStart(script: string, args: string[], env: Record<string, string>): Promise<Ended> {
  return runToExit(script, args, env, FAILING_START_LIMIT_MS);
}

/** Opens a service's client on `target` and waits as a service does at start. */
async function ready(target: { url: string; tlsCa?: string }): Promise<void> {
  const client = openRedis({ ...target, cluster: undefined }, { maxRetriesPerRequest: 1 });
  try {
    await untilRedisReady(client, { ...target, cluster: undefined });
  } finally {
    client.disconnect();
  }
}

/** REDIS_TLS_CA_FILE of `ca`, and the client certificate of `client` (`ca`'s own by default). */
function certificateEnv(ca: TlsFiles, client: TlsFiles = ca): Record<string, string> {
  return {
    REDIS_TLS_CA_FILE: ca.caFile,
    REDIS_TLS_CERT_FILE: client.clientCertFile,
    REDIS_TLS_KEY_FILE: client.clientKeyFile,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function withPassword(url: string, password: string): string {
  return url.replace('//', `//:${password}@`);
}

/** Exit code ≠ 0, the expected line (a string: the whole line), no stack trace, never the password. */
function assertOneLine(ended: Ended, line: RegExp | string): void {
  assert.notEqual(ended.code, 0, ended.output);
  assert.notEqual(
    ended.code,
    null,
    `still running after ${FAILING_START_LIMIT_MS / 1000} s: ${ended.output}`,
  );
  if (typeof line === 'string') {
    assert.ok(ended.output.split('\n').includes(line), ended.output);
  } else {
    assert.match(ended.output, line);
  }
  assert.doesNotMatch(ended.output, STACK_TRACE);
  assert.ok(!ended.output.includes(PASSWORD), 'the Redis password was printed');
  assert.ok(!ended.output.includes(WRONG_PASSWORD), 'the wrong password was printed');
}

interface Services {
  readonly bridgeUrl: string;
  readonly apiUrl: string;
  stop(): Promise<void>;
}

/**
 * The bridge, the reference API and its worker (delivering to the dev outbox) on `redisEnv`, all
 * starting at once: the API's port is chosen first. `roles: 'all'` runs the API and the worker in
 * one process.
 */
async function startServices(
  redisEnv: Record<string, string>,
  dataDir: string,
  roles: 'separate' | 'all' = 'separate',
): Promise<Services> {
  const apiPort = await freePort();
  const reference = {
    ...redisEnv,
    DATA_DIR: dataDir,
    PROVIDERS: 'outbox',
    REFERENCE_API_PORT: String(apiPort),
    REFERENCE_API_KEY: API_KEY,
    MESSAGE_ENCRYPTION_KEY: 'ab'.repeat(32),
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const script = 'reference-api/src/start.ts';
  const starting = [
    startProcess('bridge/src/start.ts', [], bridgeEnv(reference, apiUrl), BRIDGE_READY),
    ...(roles === 'all'
      ? [startProcess(script, ['--role', 'all'], reference, API_READY)]
      : [
          startProcess(script, ['--role', 'api'], reference, API_READY),
          startProcess(script, ['--role', 'worker'], reference, /started/),
        ]),
  ];
  const started = await Promise.allSettled(starting);
  const running = started.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
  const stop = () => Promise.all(running.map((p) => p.stop())).then(() => undefined);
  const failed = started.find((p) => p.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { bridgeUrl: `http://127.0.0.1:${running[0]!.port}`, apiUrl, stop };
}

function bridgeEnv(reference: Record<string, string>, apiUrl: string): Record<string, string> {
  return {
    ...reference,
    BRIDGE_PORT: '0',
    LOG_LEVEL: 'info',
    REFERENCE_API_URL: apiUrl,
    BRIDGE_SECRET: 'tls-test-bridge-secret-0123456789abcdef',
    BRIDGE_DEMO_CLIENT_ID: CLIENT.id,
    BRIDGE_DEMO_CLIENT_SECRET: CLIENT.secret,
    BRIDGE_DEMO_ENABLED: 'false',
  };
}

/** Request a code through the bridge, read it from the dev outbox, validate it: 200. */
async function signIn(services: Services, phone: string): Promise<void> {
  const headers = {
    authorization: `Bearer ${await clientToken(services.bridgeUrl, CLIENT)}`,
    'content-type': 'application/json',
  };
  const base = `${services.bridgeUrl}/ciam-mfa/v2/deviceAuthentications`;
  const sent = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ userName: 'tls-user', phoneNumber: phone, deviceType: 'sms' }),
  });
  const { authId } = (await sent.json()) as { authId?: string };
  assert.equal(sent.status, 201);
  const otp = await outboxReader(services.apiUrl, API_KEY).codeSentTo(phone);
  const checked = await fetch(`${base}/${authId}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ otp, deviceType: 'SMS' }),
  });
  await checked.arrayBuffer();
  assert.equal(checked.status, 200);
}
