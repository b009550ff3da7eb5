// SMS-pumping defence: per application and destination prefix (calling code plus the first
// national digits, e.g. +88234), a sliding window of sends and successful validations. A prefix
// with enough sends and too few validations is quarantined: new sends to it are refused until the
// quarantine ends or an admin releases it. Pumping bots request codes and never enter them, so a
// conversion near zero is their signature; real users convert at 60-90 %.
import { readFileSync } from 'node:fs';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { Counter, type Registry } from 'prom-client';
import { KeyLayout } from '../otp/key-layout.js';

/** The guard's settings (PUMPING_* variables). */
export interface PumpingSettings {
  /** Off when false: every send goes ahead and nothing is counted. */
  readonly enabled: boolean;
  /** Sends in the window before the conversion is judged at all. */
  readonly minSends: number;
  /** Validated / sent below which a prefix is quarantined, 0-1. */
  readonly minConversion: number;
  readonly windowSeconds: number;
  readonly quarantineSeconds: number;
  /** National digits after the calling code that make a prefix. */
  readonly prefixDigits: number;
}

/** What {@link PrefixGuard.beforeSend} decided. */
export type SendVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'quarantined'; readonly retryAfterMs: number; readonly trippedNow: boolean };

/** A quarantined prefix, as the admin API lists it. */
export interface Quarantine {
  readonly prefix: string;
  readonly until: string;
}

/** A window's buckets: 60 of them, so the window slides in steps of a sixtieth. */
const BUCKETS = 60;

type ScriptedRedis = RedisClient & {
  mfaPrefixGuard(
    windowKey: string,
    quarantineKey: string,
    ...args: string[]
  ): Promise<[string, number]>;
};

/** `+88234…` for a number in E.164 with its calling code: the calling code plus `digits` national digits. */
export function destinationPrefix(e164: string, callingCode: string, digits: number): string {
  return `+${callingCode}${e164.slice(1 + callingCode.length, 1 + callingCode.length + digits)}`;
}

/** The guard on RedisClient; every decision is one Lua script, so concurrent sends cannot slip past a trip. */
export class PrefixGuard {
  readonly #redis: ScriptedRedis;
  readonly #trips: Counter<'application' | 'prefix'> | undefined;
  readonly #keys: KeyLayout;

  constructor(
    redis: RedisClient,
    keyPrefix: string,
    readonly settings: PumpingSettings,
    registry?: Registry,
  ) {
    this.#redis = redis as ScriptedRedis;
    this.#keys = new KeyLayout(keyPrefix);
    this.#trips = registry ? quarantineCounter(registry) : undefined;
    if (typeof this.#redis.mfaPrefixGuard !== 'function') {
      redis.defineCommand('mfaPrefixGuard', {
        numberOfKeys: 2,
        lua: readFileSync(new URL('./prefix-guard.lua', import.meta.url), 'utf8'),
      });
    }
  }

  /** Refuses a send to a quarantined prefix (or one that trips now); otherwise counts it. */
  async beforeSend(clientId: string, prefix: string, nowMs: number): Promise<SendVerdict> {
    if (!this.settings.enabled) {
      return { kind: 'allowed' };
    }
    const [kind, ms] = await this.run('send', clientId, prefix, nowMs);
    if (kind === 'ok') {
      return { kind: 'allowed' };
    }
    if (kind === 'tripped') {
      this.#trips?.inc({ application: clientId, prefix });
    }
    return { kind: 'quarantined', retryAfterMs: ms, trippedNow: kind === 'tripped' };
  }

  /** Counts a code validated for a number under `prefix`: what keeps a real prefix out of quarantine. */
  async validated(clientId: string, prefix: string, nowMs: number): Promise<void> {
    if (this.settings.enabled) {
      await this.run('validated', clientId, prefix, nowMs);
    }
  }

  /** The application's prefixes in quarantine now, soonest released first. */
  async list(clientId: string, nowMs: number): Promise<Quarantine[]> {
    const entries = await this.#redis.zrangebyscore(
      this.quarantineKey(clientId),
      `(${nowMs}`,
      '+inf',
      'WITHSCORES',
    );
    const out: Quarantine[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      out.push({ prefix: entries[i]!, until: new Date(Number(entries[i + 1])).toISOString() });
    }
    return out;
  }

  /** Ends a quarantine early; false when the prefix was not quarantined. Its window starts over. */
  async release(clientId: string, prefix: string): Promise<boolean> {
    const [removed] = (await this.#redis
      .multi()
      .zrem(this.quarantineKey(clientId), prefix)
      .del(this.windowKey(clientId, prefix))
      .exec()) as [[Error | null, number], [Error | null, number]];
    return removed[1] === 1;
  }

  private run(mode: 'send' | 'validated', clientId: string, prefix: string, nowMs: number) {
    const s = this.settings;
    const bucketMs = Math.max(1000, Math.floor((s.windowSeconds * 1000) / BUCKETS));
    return this.#redis.mfaPrefixGuard(
      this.windowKey(clientId, prefix),
      this.quarantineKey(clientId),
      mode,
      prefix,
      String(nowMs),
      String(bucketMs),
      String(BUCKETS),
      String(s.minSends),
      String(s.minConversion),
      String(s.quarantineSeconds * 1000),
    );
  }

  private windowKey(clientId: string, prefix: string): string {
    return this.#keys.pumpWindow(clientId, prefix);
  }

  private quarantineKey(clientId: string): string {
    return this.#keys.pumpQuarantines(clientId);
  }
}

/** `mfa_prefix_quarantines_total{application,prefix}`: prefixes put in quarantine (few: a prefix is a label). */
function quarantineCounter(registry: Registry): Counter<'application' | 'prefix'> {
  const name = 'mfa_prefix_quarantines_total';
  return (
    (registry.getSingleMetric(name) as Counter<'application' | 'prefix'> | undefined) ??
    new Counter({
      name,
      help: 'Destination prefixes quarantined for SMS pumping (many codes requested, few entered)',
      labelNames: ['application', 'prefix'],
      registers: [registry],
    })
  );
}
