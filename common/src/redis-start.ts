// What a process says when it cannot reach its Redis at start: one line naming the cause a user
// can fix (a certificate it cannot verify, a client certificate it lacks or that the server
// refuses, a refused password, no TLS on that port), never
// ioredis' stack (whose AUTH command would carry the password). A cluster client says only
// "Failed to refresh slots cache" / "Connection is closed" (its slot refresher swallows the node's
// TLS error), so the cause is then asked of one seed node on a connection of its own.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';
import {
  describeRedis,
  openRedis,
  redisTlsOptions,
  type RedisClient,
  type RedisSettings,
} from './redis-client.js';

/** Where a process connects, as {@link openRedis} takes it. */
type Target = Pick<RedisSettings, 'url' | 'cluster' | 'tlsCa' | 'tlsClient'>;

/** Redis could not be reached at start; the message is one line saying why and what to do. */
export class RedisStartError extends Error {
  override readonly name = 'RedisStartError';
}

// Node's codes for a certificate that does not chain to a CA it trusts.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
// The TLS alerts (ERR_SSL_<version>_ALERT_<name>) a server sends about the client certificate.
// Without one, TLS 1.3 says CERTIFICATE_REQUIRED, TLS 1.2 only HANDSHAKE_FAILURE.
const TLS_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(\w+)$/;
const NO_CLIENT_CERTIFICATE = new Set(['CERTIFICATE_REQUIRED', 'HANDSHAKE_FAILURE']);
const CLIENT_CERTIFICATE_REFUSED = new Set([
  ...NO_CLIENT_CERTIFICATE,
  'UNKNOWN_CA',
  'BAD_CERTIFICATE',
  'CERTIFICATE_UNKNOWN',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_REVOKED',
  'UNSUPPORTED_CERTIFICATE',
  'ACCESS_DENIED',
  'DECRYPT_ERROR',
]);
const PROBE_LIMIT_MS = 5000;

/** Resolves once `client` is ready; otherwise disconnects it and rejects with a {@link RedisStartError}. */
export async function untilRedisReady(client: RedisClient, target: Target): Promise<void> {
  try {
    await once(client, 'ready');
  } catch (err) {
    client.disconnect();
    const line =
      (await startProblem(err, target)) ??
      `cannot reach ${describeRedis(target)} (${causeOf(err).message}): check REDIS_URL / REDIS_CLUSTER_NODES, and that Redis runs`;
    throw new RedisStartError(line);
  }
}

/**
 * Logs `client`'s errors as warnings (`message`, with the error's text) once it has been ready
 * (before that, a failure is the start-up's to report, in one line: {@link untilRedisReady}), and
 * each new kind of trouble once, not every retry; a reconnection forgets the last one.
 */
export function logRedisTrouble(client: RedisClient, logger: Logger, message: string): void {
  let ready = client.status === 'ready';
  let last = '';
  client.on('ready', () => {
    ready = true;
    last = '';
  });
  client.on('error', (err: Error) => {
    if (ready && err.message !== last) {
      last = err.message;
      logger.warn(message, { error: err.message });
    }
  });
}

/** Why connecting to `target` failed with `err`, as one line saying what to do; undefined for a cause it does not know. */
export async function startProblem(err: unknown, target: Target): Promise<string | undefined> {
  return (
    explain(causeOf(err), target) ??
    explain(await probe(target), target) ??
    explain(await handshake(target), target)
  );
}

/** A cluster's own error carries the last node's as `lastNodeError`. */
function causeOf(err: unknown): Error {
  const last = (err as { lastNodeError?: unknown } | undefined)?.lastNodeError;
  return last instanceof Error ? last : err instanceof Error ? err : new Error(String(err));
}

function explain(err: Error | undefined, target: Target): string | undefined {
  if (!err) {
    return undefined;
  }
  const where = describeRedis(target);
  const code = String((err as { code?: unknown }).code ?? '');
  const refused = clientCertificateProblem(err, code, target);
  if (refused) {
    return `${where} ${refused}`;
  }
  if (UNTRUSTED.has(code)) {
    return target.tlsCa
      ? `cannot verify the TLS certificate of ${where} (${err.message}): the CA in REDIS_TLS_CA_FILE did not sign it; give the CA that did`
      : `cannot verify the TLS certificate of ${where} (${err.message}): set REDIS_TLS_CA_FILE to the PEM file of the CA that signed it`;
  }
  if (code.startsWith('CERT_') || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the TLS certificate of ${where} is not accepted (${err.message})`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(err.message)) {
    return `${where} does not answer TLS there (${err.message}): use redis:// for a Redis without TLS, or its TLS port`;
  }
  if (code === 'ECONNRESET' && !(target.cluster?.tls ?? target.url?.startsWith('rediss://'))) {
    return `${where} closed the connection (${err.message}): if it serves TLS only, use rediss://`;
  }
  if (/^WRONGPASS|invalid password/.test(err.message)) {
    return `${where} refused the password: check REDIS_PASSWORD (or REDIS_PASSWORD_FILE)`;
  }
  if (/^NOAUTH/.test(err.message)) {
    return `${where} requires a password: set REDIS_PASSWORD (or REDIS_PASSWORD_FILE)`;
  }
  return undefined;
}

/** What a server's TLS alert says of our client certificate (after "<where> "), if it speaks of one. */
function clientCertificateProblem(err: Error, code: string, target: Target): string | undefined {
  const alert = TLS_ALERT.exec(code)?.[1] ?? '';
  // OpenSSL's message is a long "<address>:error:<code>:SSL routines:..." line; its reason reads
  const reason = String((err as { reason?: unknown }).reason ?? err.message.trim());
  if (!target.tlsClient && NO_CLIENT_CERTIFICATE.has(alert)) {
    return `asks for a TLS client certificate (${reason}): set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE`;
  }
  if (target.tlsClient && CLIENT_CERTIFICATE_REFUSED.has(alert)) {
    return `did not accept the TLS client certificate in REDIS_TLS_CERT_FILE (${reason}): give one that is still valid and signed by a CA in its tls-ca-cert-file`;
  }
  return undefined;
}

/** The first error of one plain connection to `target` (a cluster's first seed node), or undefined if it answers. */
async function probe(target: Target): Promise<Error | undefined> {
  const redis = probeClient(target);
  let first: Error | undefined;
  redis.on('error', (err: Error) => (first ??= err));
  const answer = (async () => {
    await redis.connect();
    await redis.ping();
  })().then(
    () => undefined,
    (err: unknown) => first ?? causeOf(err),
  );
  try {
    return await Promise.race([
      answer,
      sleep(PROBE_LIMIT_MS, undefined, { ref: false }).then(() => first),
    ]);
  } finally {
    redis.disconnect();
  }
}

const ALERT_WAIT_MS = 1500;

/**
 * The error of a bare TLS handshake with `target` (a cluster's first seed node) that writes
 * nothing, or undefined (no TLS, or the server kept the connection). Under TLS 1.3 a server that
 * wants a client certificate says so only after the client has finished its side of the
 * handshake: a client that writes a command at once (ioredis, the probe above) may hit the closed
 * socket first and see only ECONNRESET. Writing nothing, this one reads the server's alert.
 */
async function handshake(target: Target): Promise<Error | undefined> {
  const address = tlsAddress(target);
  if (!address) {
    return undefined;
  }
  const socket = tlsConnect({ ...address, ...redisTlsOptions(target) });
  try {
    return await new Promise<Error | undefined>((resolve) => {
      socket.once('error', resolve);
      socket.once('close', () => resolve(undefined));
      socket.once('secureConnect', () => {
        setTimeout(() => resolve(undefined), ALERT_WAIT_MS).unref();
      });
      setTimeout(() => resolve(undefined), PROBE_LIMIT_MS).unref();
    });
  } finally {
    socket.destroy();
  }
}

/** Host and port of a TLS target (one Redis, or a cluster's first seed), else undefined. */
function tlsAddress(target: Target): { host: string; port: number } | undefined {
  const seed = target.cluster?.tls ? target.cluster.nodes[0] : undefined;
  if (seed) {
    return { host: seed.host, port: seed.port };
  }
  if (!target.cluster && target.url?.startsWith('rediss://')) {
    const url = new URL(target.url);
    return { host: url.hostname, port: Number(url.port || 6379) };
  }
  return undefined;
}

function probeClient(target: Target): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  };
  const { cluster } = target;
  const seed = cluster?.nodes[0];
  if (!cluster || !seed) {
    return openRedis(target, options) as Redis;
  }
  return new Redis({
    ...options,
    host: seed.host,
    port: seed.port,
    password: cluster.password,
    ...(cluster.tls ? { tls: redisTlsOptions(target) } : {}),
  });
}
