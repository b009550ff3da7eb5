import { readFileSync } from 'node:fs';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { DeviceType } from '../apps/application.js';
import type { AuthRecord, StoredStatus } from './auth-record.js';
import type {
  CancelOutcome,
  CodeStore,
  ReserveOutcome,
  SendReservation,
  VerifyAttempt,
  VerifyOutcome,
} from './code-store.js';
import { carriesTag, KeyLayout } from './key-layout.js';

const script = (name: string) => readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');

/** How long a finished or expired authentication stays readable (status, 409, 410) before it reads as unknown. */
export const FINISHED_RETENTION_MS = 15 * 60_000;

type ScriptedRedis = RedisClient & {
  /** verify.lua for a code sent by SMS, WhatsApp, Telegram or email: KEYS the authentication and the user. */
  mfaVerify(authKey: string, userKey: string, ...args: string[]): Promise<[string, number]>;
  /** The same script with the user's TOTP devices after those two keys: the key count comes first. */
  mfaVerifyDevices(numberOfKeys: number, ...keysThenArgs: string[]): Promise<[string, number]>;
  mfaReserveSend(
    authKey: string,
    userKey: string,
    clientId: string,
    nowMs: string,
  ): Promise<[string, number, number]>;
  mfaReleaseSend(authKey: string, sends: string, previousNextResendAtMs: string): Promise<number>;
  mfaCancel(authKey: string, clientId: string, nowMs: string): Promise<string>;
  mfaCreate(authKey: string, ttlMs: string, ...fieldsAndValues: string[]): Promise<number>;
};

/**
 * The code store on Redis: one hash per authentication, one per user's failures, both on the user's
 * hash tag (the authId carries it) with the user's TOTP devices, so each script stays on one slot.
 */
export class RedisCodeStore implements CodeStore {
  readonly #redis: ScriptedRedis;
  readonly #keys: KeyLayout;

  constructor(redis: RedisClient, keyPrefix: string) {
    this.#redis = redis as ScriptedRedis;
    this.#keys = new KeyLayout(keyPrefix);
    if (typeof this.#redis.mfaVerify !== 'function') {
      defineScripts(redis);
    }
  }

  async create(record: AuthRecord, nowMs: number): Promise<void> {
    const ttlMs = Math.max(1, record.expiresAtMs - nowMs) + FINISHED_RETENTION_MS;
    const key = this.authKey(record.authId);
    await this.#redis.mfaCreate(key, String(ttlMs), ...toHash(record));
  }

  async get(authId: string): Promise<AuthRecord | undefined> {
    if (!carriesTag(authId)) {
      return undefined;
    }
    const hash = await this.#redis.hgetall(this.authKey(authId));
    return hash['clientId'] ? fromHash(authId, hash) : undefined;
  }

  async remove(authId: string): Promise<void> {
    await this.#redis.del(this.authKey(authId));
  }

  async verify(a: VerifyAttempt): Promise<VerifyOutcome> {
    const { policy } = a;
    const devices = a.devices ?? [];
    const keys = [
      this.authKey(a.authId),
      this.userKey(a.userKey),
      ...devices.map((d) => this.#keys.totpDevice(a.userKey, d.deviceId)),
    ];
    const args = [
      a.clientId,
      a.matched ? '1' : '0',
      a.candidateHash,
      String(a.nowMs),
      String(policy.failuresBeforeWait),
      String(policy.firstWaitMs),
      String(policy.longestWaitMs),
      String(policy.retentionMs),
      ...devices.map((d) => String(d.step)),
    ];
    const [kind, n] = devices.length
      ? await this.#redis.mfaVerifyDevices(keys.length, ...keys, ...args)
      : await this.#redis.mfaVerify(keys[0]!, keys[1]!, ...args);
    if (kind === 'wrong_code' || kind === 'replayed') {
      return { kind, attemptsRemaining: n };
    }
    if (kind === 'user_wait') {
      return { kind, retryAfterMs: n };
    }
    return { kind } as VerifyOutcome;
  }

  async reserveSend(
    authId: string,
    clientId: string,
    userKey: string,
    nowMs: number,
  ): Promise<ReserveOutcome> {
    const [kind, n, m] = await this.#redis.mfaReserveSend(
      this.authKey(authId),
      this.userKey(userKey),
      clientId,
      String(nowMs),
    );
    if (kind === 'reserved') {
      return { kind, sends: n, previousNextResendAtMs: m };
    }
    if (kind === 'user_wait' || kind === 'cooldown' || kind === 'exhausted') {
      return { kind, retryAfterMs: n };
    }
    return { kind } as ReserveOutcome;
  }

  async releaseSend(authId: string, reservation: SendReservation): Promise<void> {
    await this.#redis.mfaReleaseSend(
      this.authKey(authId),
      String(reservation.sends),
      String(reservation.previousNextResendAtMs),
    );
  }

  async cancel(authId: string, clientId: string, nowMs: number): Promise<CancelOutcome> {
    return {
      kind: (await this.#redis.mfaCancel(
        this.authKey(authId),
        clientId,
        String(nowMs),
      )) as CancelOutcome['kind'],
    };
  }

  async userWaitMs(userKey: string, nowMs: number): Promise<number> {
    const waitUntil = Number((await this.#redis.hget(this.userKey(userKey), 'waitUntilMs')) ?? 0);
    return Math.max(0, waitUntil - nowMs);
  }

  private authKey(authId: string): string {
    return this.#keys.auth(authId);
  }

  private userKey(userKey: string): string {
    return this.#keys.userFailures(userKey);
  }
}

/** Scripts whose first argument is their key count (it varies), not a key. */
export const VARIADIC_KEY_COMMANDS = ['mfaVerifyDevices'] as const;

function defineScripts(redis: RedisClient): void {
  // One script under two names: with its two fixed keys a validation of a sent code is
  // auto-pipelined with the other requests' commands; only a TOTP check, whose key count varies,
  // goes out on its own (VARIADIC_KEY_COMMANDS).
  const verify = script('verify');
  redis.defineCommand('mfaVerify', { numberOfKeys: 2, lua: verify });
  redis.defineCommand('mfaVerifyDevices', { lua: verify });
  redis.defineCommand('mfaReserveSend', { numberOfKeys: 2, lua: script('reserve-send') });
  redis.defineCommand('mfaReleaseSend', { numberOfKeys: 1, lua: script('release-send') });
  redis.defineCommand('mfaCancel', { numberOfKeys: 1, lua: script('cancel') });
  redis.defineCommand('mfaCreate', { numberOfKeys: 1, lua: script('create') });
}

/** The record's defined fields and values, in pairs, as HSET takes them (the authId is in the key). */
function toHash(r: AuthRecord): string[] {
  const pairs: string[] = [];
  for (const [field, value] of Object.entries(r)) {
    if (value !== undefined && field !== 'authId') {
      pairs.push(field, String(value));
    }
  }
  return pairs;
}

function fromHash(authId: string, h: Record<string, string>): AuthRecord {
  const num = (field: string) => Number(h[field] ?? 0);
  return {
    authId,
    clientId: h['clientId'] ?? '',
    userKey: h['userKey'] ?? '',
    deviceType: (h['deviceType'] ?? 'SMS') as DeviceType,
    phoneMasked: h['phoneMasked'] ?? '',
    callingCode: h['callingCode'] ?? '',
    country: h['country'],
    pumpingPrefix: h['pumpingPrefix'],
    templateName: h['templateName'],
    locale: h['locale'],
    codeLength: num('codeLength'),
    maxAttempts: num('maxAttempts'),
    maxSends: num('maxSends'),
    cooldownSeconds: num('cooldownSeconds'),
    status: (h['status'] ?? 'pending') as StoredStatus,
    attempts: num('attempts'),
    sends: num('sends'),
    createdAtMs: num('createdAtMs'),
    expiresAtMs: num('expiresAtMs'),
    nextResendAtMs: num('nextResendAtMs'),
    codeHash: h['codeHash'],
    sealed: h['sealed'],
    ...(h['test'] === 'true' ? { test: true as const } : {}),
  };
}
