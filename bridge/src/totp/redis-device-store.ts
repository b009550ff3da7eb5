import { readFileSync } from 'node:fs';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { KeyLayout } from '../otp/key-layout.js';
import type { ActivateOutcome, DeviceLimits, DeviceStore, EnrolOutcome } from './device-store.js';
import type { DeviceStatus, TotpDevice } from './totp-device.js';
import type { TotpAlgorithm } from './totp-settings.js';

const script = (name: string) => readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');

/** Five authenticators a user, ten minutes to scan the QR code and type the first code, five tries at it. */
export const DEFAULT_DEVICE_LIMITS: DeviceLimits = {
  maxDevicesPerUser: 5,
  pendingTtlMs: 10 * 60_000,
  maxActivationAttempts: 5,
};

type ScriptedRedis = RedisClient & {
  mfaTotpEnrol(indexKey: string, deviceKey: string, ...args: string[]): Promise<[string, number]>;
  mfaTotpActivate(
    deviceKey: string,
    indexKey: string,
    ...args: string[]
  ): Promise<[string, number]>;
};

/**
 * The device store on Redis: one hash per device and one sorted set per user, on the user's hash tag
 * (with the user's authentications, so the verify script can take a device's step atomically), and
 * per application a set of its users, on a slot of its own.
 */
export class RedisDeviceStore implements DeviceStore {
  readonly #redis: ScriptedRedis;
  readonly #keys: KeyLayout;

  constructor(
    redis: RedisClient,
    keyPrefix: string,
    readonly limits: DeviceLimits = DEFAULT_DEVICE_LIMITS,
  ) {
    this.#redis = redis as ScriptedRedis;
    this.#keys = new KeyLayout(keyPrefix);
    if (typeof this.#redis.mfaTotpEnrol !== 'function') {
      redis.defineCommand('mfaTotpEnrol', { numberOfKeys: 2, lua: script('enrol') });
      redis.defineCommand('mfaTotpActivate', { numberOfKeys: 2, lua: script('activate') });
    }
  }

  async enrol(device: TotpDevice, nowMs: number): Promise<EnrolOutcome> {
    // Indexed first: the application's list of users may name one without a device, never miss one.
    await this.#redis.sadd(this.#keys.totpUsers(device.clientId), device.userKey);
    const [kind, limit] = await this.#redis.mfaTotpEnrol(
      this.indexKey(device.userKey),
      this.deviceKey(device.userKey, device.deviceId),
      device.deviceId,
      String(nowMs),
      String(this.limits.pendingTtlMs),
      String(this.limits.maxDevicesPerUser),
      ...Object.entries(device).flatMap(([field, value]) => [field, String(value)]),
    );
    return kind === 'limit_reached' ? { kind, limit } : { kind: 'enrolled' };
  }

  async get(userKey: string, deviceId: string): Promise<TotpDevice | undefined> {
    return fromHash(await this.#redis.hgetall(this.deviceKey(userKey, deviceId)));
  }

  async list(userKey: string, nowMs: number): Promise<TotpDevice[]> {
    const ids = await this.#redis.zrangebyscore(this.indexKey(userKey), `(${nowMs}`, '+inf');
    const pipeline = this.#redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.deviceKey(userKey, id));
    }
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, row]) => fromHash(row as Record<string, string>))
      .filter((d): d is TotpDevice => d !== undefined)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.deviceId.localeCompare(b.deviceId));
  }

  async activate(
    device: Pick<TotpDevice, 'userKey' | 'deviceId' | 'clientId'>,
    step: number | undefined,
    nowMs: number,
  ): Promise<ActivateOutcome> {
    const [kind, n] = await this.#redis.mfaTotpActivate(
      this.deviceKey(device.userKey, device.deviceId),
      this.indexKey(device.userKey),
      device.deviceId,
      device.clientId,
      step === undefined ? '' : String(step),
      String(nowMs),
      String(this.limits.maxActivationAttempts),
    );
    return kind === 'wrong_code' ? { kind, attemptsRemaining: n } : ({ kind } as ActivateOutcome);
  }

  async remove(userKey: string, deviceId: string): Promise<boolean> {
    const [removed] =
      (await this.#redis
        .multi()
        .del(this.deviceKey(userKey, deviceId))
        .zrem(this.indexKey(userKey), deviceId)
        .exec()) ?? [];
    return removed?.[1] === 1;
  }

  async removeAllOf(clientId: string): Promise<number> {
    const usersKey = this.#keys.totpUsers(clientId);
    let removed = 0;
    for (const userKey of await this.#redis.smembers(usersKey)) {
      const ids = await this.#redis.zrange(this.indexKey(userKey), 0, -1);
      const keys = ids.map((id) => this.deviceKey(userKey, id));
      // the user's keys share a slot; the application's set of users is on another, so it goes last:
      // a failure half-way leaves a user listed with nothing to remove, never devices unlisted
      removed += keys.length ? await this.#redis.del(...keys) : 0;
      await this.#redis.del(this.indexKey(userKey));
      await this.#redis.srem(usersKey, userKey);
    }
    return removed;
  }

  private indexKey(userKey: string): string {
    return this.#keys.totpDevices(userKey);
  }

  private deviceKey(userKey: string, deviceId: string): string {
    return this.#keys.totpDevice(userKey, deviceId);
  }
}

function fromHash(h: Record<string, string> | null | undefined): TotpDevice | undefined {
  if (!h?.['deviceId']) {
    return undefined;
  }
  const num = (field: string) => Number(h[field] ?? 0);
  return {
    deviceId: h['deviceId'],
    clientId: h['clientId'] ?? '',
    userKey: h['userKey'] ?? '',
    type: 'TOTP',
    status: (h['status'] ?? 'ACTIVATION_REQUIRED') as DeviceStatus,
    sealedSecret: h['sealedSecret'] ?? '',
    algorithm: (h['algorithm'] ?? 'SHA1') as TotpAlgorithm,
    digits: num('digits') === 8 ? 8 : 6,
    period: num('period'),
    createdAtMs: num('createdAtMs'),
    activatedAtMs: num('activatedAtMs'),
    lastUsedStep: Number(h['lastUsedStep'] ?? -1),
    lastUsedAtMs: num('lastUsedAtMs'),
    activationAttempts: num('activationAttempts'),
  };
}
