import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { describeRedis, openRedis, REDIS_ENV, redisSettings } from '../src/redis-client.js';

// A CA certificate made by tests/support/tls-certs.ts (its key was thrown away).
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBijCCAS+gAwIBAgIUY0xdFDqx+GX29JCiNncV/oF+j8owCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPc21zLW1mYSB0ZXN0IENBMB4XDTI2MTEyOTExMzkxNFoXDTI2
MTEzMDExMzkxNFowGjEYMBYGA1UEAwwPc21zLW1mYSB0ZXN0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEJl/cYnO9YkNvOxAlJjC7I0NHJM7Q1BvGKmETf2t4
SDw2OiNLrG8V5WZRLE2fuppFWYdWdbtb06yqQ4vrzCmL2qNTMFEwHQYDVR0OBBYE
FKRF1qy35SrVn28l2AemHVAG9Y9aMB8GA1UdIwQYMBaAFKRF1qy35SrVn28l2Aem
HVAG9Y9aMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhANpueYHE
33Ij5fYSJf89E7ushpgywD3iZfNZaM5zmfE3AiEA/Zvy0OTTA7vJ8S71c+500WqY
ZIXOU6V66o3mWmjxwCw=
-----END CERTIFICATE-----`;

// A self-signed client certificate and its key, made for these tests (nothing else trusts them).
const CLIENT_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUAa1Zkbx/37mM7mOKZpMV3rxXoG8wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc21zLW1mYSB0ZXN0IGNsaWVudDAeFw0yNjExMjkxNTI1MTJa
Fw0yNjExMzAxNTI1MTJaMB4xHDAaBgNVBAMME3Ntcy1tZmEgdGVzdCBjbGllbnQw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARbdjwYoitnetN6cSWFIkg5s4oCdpcB
3w2AyJ62heRMRqfmGkoMkYf5ZntgaFJrtE2YDJmyevZtKrdWZ+8wfsLAo1MwUTAd
BgNVHQ4EFgQUJLNWk9tjwR3dBgccgFCHhhnEGKAwHwYDVR0jBBgwFoAUJLNWk9tj
wR3dBgccgFCHhhnEGKAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiA1XpLiVTIBJZYQyb4OWvP2/vAZksyFHUj2f07MzM/njwIhAKiEGe34eFoMNeBU
CRbUNqc1gzrwXYuyRcHUHeXtOZ1s
-----END CERTIFICATE-----`;
const CLIENT_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkd0/qOqnm6NYLv91
l12MZnhWvCacjOTRPaQvBb6ZbGGhRANCAARbdjwYoitnetN6cSWFIkg5s4oCdpcB
3w2AyJ62heRMRqfmGkoMkYf5ZntgaFJrtE2YDJmyevZtKrdWZ+8wfsLA
-----END PRIVATE KEY-----`;

const parse = (env: Record<string, string>) => {
  const parsed = z.object(REDIS_ENV).safeParse(env);
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
  return redisSettings(parsed.data);
};

describe('where a service finds its Redis', () => {
  it('uses one Redis from REDIS_URL, with REDIS_PASSWORD added when the URL has none', () => {
    const result = parse({ REDIS_URL: 'redis://cache:6379/0', REDIS_PASSWORD: 's3cret/+' });
    assert.ok('settings' in result);
    assert.equal(result.settings.cluster, undefined);
    assert.equal(result.settings.url, 'redis://:s3cret%2F%2B@cache:6379/0');
    assert.deepEqual(result.problems, []);
  });

  it('reads the seed nodes of REDIS_CLUSTER_NODES, TLS when they are rediss://', () => {
    const plain = parse({ REDIS_CLUSTER_NODES: 'r1:7000, r2:7001,10.0.0.3:7002' });
    assert.ok('settings' in plain);
    assert.deepEqual(plain.settings.cluster, {
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7001 },
        { host: '10.0.0.3', port: 7002 },
      ],
      tls: false,
      password: undefined,
    });
    const tls = parse({
      REDIS_CLUSTER_NODES: 'rediss://r1:7000,rediss://r2:7000',
      REDIS_PASSWORD: 'pw',
    });
    assert.ok('settings' in tls);
    assert.equal(tls.settings.cluster?.tls, true);
    assert.equal(tls.settings.cluster?.password, 'pw');
    assert.equal(
      describeRedis(tls.settings),
      'the Redis Cluster at rediss://r1:7000,rediss://r2:7000',
    );
  });

  it('refuses both REDIS_URL and REDIS_CLUSTER_NODES, and a mix of TLS and plain seeds, in one line each', () => {
    const both = parse({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' });
    assert.ok('problems' in both);
    assert.deepEqual(both.problems, [
      'REDIS_CLUSTER_NODES: set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both',
    ]);
    const mixed = parse({ REDIS_CLUSTER_NODES: 'rediss://a:1,redis://b:2' });
    assert.ok('problems' in mixed);
    assert.deepEqual(mixed.problems, [
      'REDIS_CLUSTER_NODES: give every seed node as rediss:// (TLS) or none',
    ]);
  });

  it('says what it expects when a seed node is not host:port', () => {
    const result = parse({ REDIS_CLUSTER_NODES: 'r1:7000,r2' });
    assert.ok('error' in result);
    assert.match(String(result.error), /REDIS_CLUSTER_NODES: must be host:port seed nodes/);
  });

  it('never shows a password when it names where it connects', () => {
    assert.equal(
      describeRedis({ url: 'redis://user:hunter2@cache:6379', cluster: undefined }),
      'Redis at redis://***@cache:6379',
    );
  });

  it('waits for no replica unless REDIS_WAIT_REPLICAS asks, half a second at most by default', () => {
    const result = parse({ REDIS_URL: 'redis://a:1' });
    assert.ok('settings' in result);
    assert.equal(result.settings.waitReplicas, 0);
    assert.equal(result.settings.waitTimeoutMs, 500);
  });
});

describe('REDIS_TLS_CA_FILE: the private CA a TLS Redis is trusted by', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-ca-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const caFile = file('ca.pem', `# our CA\n${CA_PEM}\n`);

  it('is read once at config load, and every rediss:// connection of one Redis trusts it', () => {
    const result = parse({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: caFile });
    assert.ok('settings' in result);
    assert.deepEqual(result.problems, []);
    assert.equal(result.settings.tlsCa, CA_PEM);
    const client = openRedis(result.settings, { lazyConnect: true }) as Redis;
    assert.deepEqual(client.options.tls, { ca: CA_PEM });
    assert.deepEqual((client.duplicate() as Redis).options.tls, { ca: CA_PEM });
  });

  it('is trusted by every node of a cluster given rediss:// seeds, and by its duplicates', () => {
    const result = parse({
      REDIS_CLUSTER_NODES: 'rediss://r1:7000,rediss://r2:7000',
      REDIS_PASSWORD: 'pw',
      REDIS_TLS_CA_FILE: caFile,
    });
    assert.ok('settings' in result);
    const cluster = openRedis(result.settings, { lazyConnect: true }) as Cluster;
    assert.deepEqual(cluster.options.redisOptions?.tls, { ca: CA_PEM });
    const copy = cluster.duplicate(undefined, { enableOfflineQueue: true });
    assert.deepEqual(copy.options.redisOptions?.tls, { ca: CA_PEM });
  });

  it("leaves Node's own CAs to rediss:// when it is not set", () => {
    const result = parse({ REDIS_URL: 'rediss://cache:6380' });
    assert.ok('settings' in result);
    assert.equal(result.settings.tlsCa, undefined);
    assert.equal((openRedis(result.settings, { lazyConnect: true }) as Redis).options.tls, true);
  });

  it('is refused in one line without rediss://, or when the file is missing or holds no certificate', () => {
    const plain = parse({ REDIS_URL: 'redis://cache:6379', REDIS_TLS_CA_FILE: caFile });
    assert.ok('problems' in plain);
    assert.deepEqual(plain.problems, [
      'REDIS_TLS_CA_FILE is set but REDIS_URL / REDIS_CLUSTER_NODES is not rediss://: use rediss:// for TLS, or unset REDIS_TLS_CA_FILE',
    ]);
    const problem = (path: string) => {
      const result = parse({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: path });
      return 'problems' in result ? result.problems : result.error;
    };
    const toDo = "give the PEM file of the CA that signed your Redis' certificate";
    const missing = join(dir, 'missing.pem');
    assert.deepEqual(problem(missing), [
      `REDIS_TLS_CA_FILE: cannot read ${missing} (ENOENT): ${toDo}`,
    ]);
    const key = file('key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    assert.deepEqual(problem(key), [
      `REDIS_TLS_CA_FILE: ${key} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${toDo}`,
    ]);
    const broken = file('broken.pem', CA_PEM.replace('MIIB', 'XXXX'));
    assert.deepEqual(problem(broken), [
      `REDIS_TLS_CA_FILE: ${broken} holds a certificate that does not parse: ${toDo}`,
    ]);
  });
});

describe('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE: the client certificate a TLS Redis asks for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-client-cert-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const certFile = file('client.pem', `${CLIENT_CERT_PEM}\n${CA_PEM}\n`);
  const keyFile = file('client.key', `${CLIENT_KEY_PEM}\n`);
  const caFile = file('ca.pem', `${CA_PEM}\n`);
  const tls = { cert: `${CLIENT_CERT_PEM}\n${CA_PEM}`, key: `${CLIENT_KEY_PEM}\n` };
  const withFiles = (cert: string, key: string) =>
    parse({
      REDIS_URL: 'rediss://cache:6380',
      REDIS_TLS_CERT_FILE: cert,
      REDIS_TLS_KEY_FILE: key,
    });
  const problems = (cert: string, key: string) => {
    const result = withFiles(cert, key);
    return 'problems' in result ? result.problems : result.error;
  };

  it('is read once at config load, chain and all, and presented by every rediss:// connection of one Redis', () => {
    const result = parse({
      REDIS_URL: 'rediss://cache:6380',
      REDIS_TLS_CA_FILE: caFile,
      REDIS_TLS_CERT_FILE: certFile,
      REDIS_TLS_KEY_FILE: keyFile,
    });
    assert.ok('settings' in result);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.settings.tlsClient, tls);
    const client = openRedis(result.settings, { lazyConnect: true }) as Redis;
    assert.deepEqual(client.options.tls, { ca: CA_PEM, ...tls });
    assert.deepEqual((client.duplicate() as Redis).options.tls, { ca: CA_PEM, ...tls });
  });

  it("is presented by every node of a cluster given rediss:// seeds, with Node's CAs when REDIS_TLS_CA_FILE is not set", () => {
    const result = parse({
      REDIS_CLUSTER_NODES: 'rediss://r1:7000,rediss://r2:7000',
      REDIS_TLS_CERT_FILE: certFile,
      REDIS_TLS_KEY_FILE: keyFile,
    });
    assert.ok('settings' in result);
    const cluster = openRedis(result.settings, { lazyConnect: true }) as Cluster;
    assert.deepEqual(cluster.options.redisOptions?.tls, tls);
    const copy = cluster.duplicate(undefined, { enableOfflineQueue: true });
    assert.deepEqual(copy.options.redisOptions?.tls, tls);
  });

  it('is refused in one line when only one of the two is set, or without rediss://', () => {
    for (const [set, unset] of [
      ['CERT', 'KEY'],
      ['KEY', 'CERT'],
    ] as const) {
      const one = parse({
        REDIS_URL: 'rediss://cache:6380',
        [`REDIS_TLS_${set}_FILE`]: set === 'CERT' ? certFile : keyFile,
      });
      assert.ok('problems' in one);
      assert.deepEqual(one.problems, [
        `REDIS_TLS_${set}_FILE is set without REDIS_TLS_${unset}_FILE: set both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, or neither`,
      ]);
    }
    const plain = parse({
      REDIS_URL: 'redis://cache:6379',
      REDIS_TLS_CERT_FILE: certFile,
      REDIS_TLS_KEY_FILE: keyFile,
    });
    assert.ok('problems' in plain);
    assert.deepEqual(plain.problems, [
      'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE are set but REDIS_URL / REDIS_CLUSTER_NODES is not rediss://: use rediss:// for TLS, or unset them',
    ]);
  });

  it('is refused in one line each when a file is missing or the certificate file holds no certificate', () => {
    const certToDo = 'give the PEM file of the client certificate your Redis accepts';
    const keyToDo =
      'give the unencrypted PEM private key of the certificate in REDIS_TLS_CERT_FILE';
    const [noCert, noKey] = [join(dir, 'missing.pem'), join(dir, 'missing.key')];
    assert.deepEqual(problems(noCert, noKey), [
      `REDIS_TLS_CERT_FILE: cannot read ${noCert} (ENOENT): ${certToDo}`,
      `REDIS_TLS_KEY_FILE: cannot read ${noKey} (ENOENT): ${keyToDo}`,
    ]);
    assert.deepEqual(problems(keyFile, keyFile), [
      `REDIS_TLS_CERT_FILE: ${keyFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${certToDo}`,
    ]);
    const broken = file('broken.pem', CLIENT_CERT_PEM.replace('MIIB', 'XXXX'));
    assert.deepEqual(problems(broken, keyFile), [
      `REDIS_TLS_CERT_FILE: ${broken} holds a certificate that does not parse: ${certToDo}`,
    ]);
  });

  it('is refused in one line, never showing the key, when the key file holds no key, an encrypted one, or the key of another certificate', () => {
    const toDo = 'give the unencrypted PEM private key of the certificate in REDIS_TLS_CERT_FILE';
    const pkcs8 = { type: 'pkcs8', format: 'pem' } as const;
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const sealed = other.export({ ...pkcs8, cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    const [otherKey, sealedKey] = [
      file('other.key', other.export(pkcs8).toString()),
      file('sealed.key', sealed),
    ];
    const cases = [
      [certFile, `${certFile} holds no PEM private key (-----BEGIN PRIVATE KEY-----): ${toDo}`],
      [
        sealedKey,
        `${sealedKey} holds an encrypted private key: ${toDo} (openssl pkey -in ${sealedKey} -out plain.key)`,
      ],
      [
        otherKey,
        `the key in ${otherKey} does not belong to the first certificate in ${certFile}: ${toDo}`,
      ],
    ];
    for (const [key, problem] of cases) {
      const found = problems(certFile, key!);
      assert.deepEqual(found, [`REDIS_TLS_KEY_FILE: ${problem}`]);
      for (const secret of [CLIENT_KEY_PEM, other.export(pkcs8).toString(), sealed]) {
        const body = secret.split('\n')[1]!;
        assert.ok(!String(found).includes(body), 'key material was shown');
      }
    }
  });
});
