import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { z } from 'zod';
import { CiamError } from '../errors.js';
import { DEFAULT_TOTP_SETTINGS } from '../totp/totp-settings.js';
import type { Application } from './application.js';
import {
  clientIdSchema,
  createApplicationSchema,
  parseInput,
  updateApplicationSchema,
  type CreateApplicationInput,
} from './application-input.js';
import { applicationView, checkApplication, type ApplicationView } from './application-view.js';
import {
  generateClientSecret,
  hashSecret,
  secretMatches,
  UNKNOWN_CLIENT_HASH,
} from './secret-hash.js';
import { required, sealTestDevices, type TestDeviceInput } from './test-devices.js';

export { applicationView, type ApplicationView };

/** Code settings an application gets unless it sets its own (config.otpDefaults). */
export interface ApplicationDefaults {
  readonly codeLength: number;
  readonly otpTtlSeconds: number;
  readonly maxAttempts: number;
  readonly resendCooldownSeconds: number;
  readonly maxSendsPerAuth: number;
}

/**
 * How long {@link ApplicationStore.cached} serves an application without reading Redis again: a
 * change made through another instance (admin API, `npm run apps`) takes effect here within this.
 */
export const APPLICATION_CACHE_TTL_MS = 5000;
const APPLICATION_CACHE_ENTRIES = 10_000;

/** An application as stored in its `record` field: everything but the secret's hash. */
type StoredApplication = Omit<Application, 'secretHash'>;

// KEYS[1] the application hash; ARGV[1] the record read, ARGV[2] its replacement.
// Returns 1 when written, 0 when the record changed (or vanished) since it was read.
const COMPARE_AND_SET = `
if redis.call('HGET', KEYS[1], 'record') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return 1`;

// KEYS[1] the application hash; ARGV[1] the new secret hash. Returns 0 for an unknown application.
const SET_SECRET_IF_EXISTS = `
if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'secretHash', ARGV[1])
return 1`;

/**
 * The application registry in Redis: one hash per application (`record` = settings as JSON,
 * `secretHash` apart so a secret rotation and a settings change never overwrite each other),
 * plus a set of client ids. All keys share the prefix's hash tag.
 */
export class ApplicationStore {
  private readonly ids: string;
  /** clientId → the read in flight or done, and until when (ms) it may be served. */
  readonly #cache = new Map<string, { app: Promise<Application | undefined>; untilMs: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly defaults: ApplicationDefaults,
    private readonly now: () => Date = () => new Date(),
    /** Seals test devices' fixed codes; only needed to set them. */
    private readonly serverSecret?: Buffer,
  ) {
    this.ids = `${prefix}:apps`;
  }

  /** The application with this client id, if registered. */
  async get(clientId: string): Promise<Application | undefined> {
    if (!clientIdSchema.safeParse(clientId).success) {
      return undefined;
    }
    return toApplication(await this.redis.hgetall(this.key(clientId)));
  }

  /**
   * The application as read at most {@link APPLICATION_CACHE_TTL_MS} ago, for the per-request
   * bearer check: changes through this store take effect at once, through another instance within
   * the bound. Concurrent misses share one read; an unknown client is never cached, so a new one works at once.
   */
  cached(clientId: string): Promise<Application | undefined> {
    const nowMs = this.now().getTime();
    const hit = this.#cache.get(clientId);
    if (hit && hit.untilMs > nowMs) {
      return hit.app;
    }
    if (this.#cache.size >= APPLICATION_CACHE_ENTRIES) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    const entry = { app: this.get(clientId), untilMs: nowMs + APPLICATION_CACHE_TTL_MS };
    this.#cache.set(clientId, entry);
    const forget = () => this.#cache.get(clientId) === entry && this.#cache.delete(clientId);
    void entry.app.then((app) => app ?? forget(), forget);
    return entry.app;
  }

  /** Every application, oldest first. */
  async list(): Promise<Application[]> {
    const ids = await this.redis.smembers(this.ids);
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.key(id));
    }
    const rows = (await pipeline.exec()) ?? [];
    const apps = rows
      .map(([, row]) => toApplication(row as Record<string, string>))
      .filter((a): a is Application => !!a);
    return apps.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId),
    );
  }

  /** Registers an application; the secret (given, or generated) is returned this once and stored hashed. */
  async create(
    input: z.input<typeof createApplicationSchema>,
    clientSecret = generateClientSecret(),
  ): Promise<{ application: Application; clientSecret: string }> {
    const parsed = parseInput(createApplicationSchema, input);
    const application = this.build(parsed, await hashSecret(clientSecret));
    checkApplication(this.serverSecret, application);
    const key = this.key(application.clientId);
    const record = JSON.stringify(withoutSecretHash(application));
    const [created] =
      (await this.redis
        .multi()
        .hsetnx(key, 'record', record)
        .hsetnx(key, 'secretHash', application.secretHash!)
        .sadd(this.ids, application.clientId)
        .exec()) ?? [];
    if (created?.[1] !== 1) {
      throw clientIdTaken();
    }
    this.#cache.delete(application.clientId);
    return { application, clientSecret };
  }

  /** Changes settings; undefined when no such application. Concurrent changes retry on a fresh read. */
  async update(
    clientId: string,
    patch: z.input<typeof updateApplicationSchema>,
  ): Promise<Application | undefined> {
    const { testDevices, ...changes } = parseInput(updateApplicationSchema, patch);
    return this.change(clientId, () => ({
      ...changes,
      ...(testDevices ? { testDevices: this.sealed(clientId, testDevices) } : {}),
    }));
  }

  /**
   * Applies what `changes` makes of the current record (a null value clears that setting), checks
   * the settings together, and writes them unless the record changed meanwhile, then tries again on
   * a fresh read. Undefined when no such application.
   */
  async change(
    clientId: string,
    changes: (current: Application) => Partial<Record<keyof StoredApplication, unknown>>,
  ): Promise<Application | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.redis.hget(this.key(clientId), 'record');
      if (raw === null) {
        return undefined;
      }
      const current = JSON.parse(raw) as Application;
      const next = applyChanges(current, changes(current), this.now());
      checkApplication(this.serverSecret, next as Application);
      if (
        (await this.redis.eval(
          COMPARE_AND_SET,
          1,
          this.key(clientId),
          raw,
          JSON.stringify(next),
        )) === 1
      ) {
        this.#cache.delete(clientId);
        return this.get(clientId);
      }
    }
    throw new CiamError(
      'UNAVAILABLE',
      'the application kept changing; try again',
      {},
      { 'Retry-After': '1' },
    );
  }

  /** Replaces the secret (given, or generated) and returns it this once; undefined when no such application. */
  async rotateSecret(
    clientId: string,
    clientSecret = generateClientSecret(),
  ): Promise<string | undefined> {
    if (!clientIdSchema.safeParse(clientId).success) {
      return undefined;
    }
    const written = await this.redis.eval(
      SET_SECRET_IF_EXISTS,
      1,
      this.key(clientId),
      await hashSecret(clientSecret),
    );
    this.#cache.delete(clientId);
    return written === 1 ? clientSecret : undefined;
  }

  /**
   * Removes an application; its tokens stop working at once on this instance, within
   * {@link APPLICATION_CACHE_TTL_MS} on others. False when there was none.
   */
  async remove(clientId: string): Promise<boolean> {
    if (!clientIdSchema.safeParse(clientId).success) {
      return false;
    }
    const [deleted] =
      (await this.redis.multi().del(this.key(clientId)).srem(this.ids, clientId).exec()) ?? [];
    this.#cache.delete(clientId);
    return deleted?.[1] === 1;
  }

  /** The application when `secret` is its client secret; unknown clients take as long as known ones. */
  async verifySecret(clientId: string, secret: string): Promise<Application | undefined> {
    const app = await this.get(clientId);
    const matches = await secretMatches(secret, app?.secretHash ?? UNKNOWN_CLIENT_HASH);
    return matches && app?.secretHash ? app : undefined;
  }

  private key(clientId: string): string {
    return `${this.prefix}:app:${clientId}`;
  }

  private sealed(clientId: string, devices: readonly TestDeviceInput[]) {
    return sealTestDevices(required(this.serverSecret), clientId, devices);
  }

  private build(input: CreateApplicationInput, secretHash: string): Application {
    const now = this.now().toISOString();
    const clientId = input.clientId ?? randomUUID();
    return {
      clientId,
      secretHash,
      name: input.name,
      brand: input.brand ?? input.name.slice(0, 40).trim(),
      templates: input.templates ?? [],
      codeLength: input.codeLength ?? this.defaults.codeLength,
      otpTtlSeconds: input.otpTtlSeconds ?? this.defaults.otpTtlSeconds,
      maxAttempts: input.maxAttempts ?? this.defaults.maxAttempts,
      resendCooldownSeconds: input.resendCooldownSeconds ?? this.defaults.resendCooldownSeconds,
      maxSendsPerAuth: input.maxSendsPerAuth ?? this.defaults.maxSendsPerAuth,
      deviceTypes: input.deviceTypes ?? ['SMS'],
      totp: input.totp ?? DEFAULT_TOTP_SETTINGS,
      allowedCountries: input.allowedCountries ?? [],
      senderId: input.senderId ?? undefined,
      webOtpDomain: input.webOtpDomain ?? undefined,
      returnUrls: input.returnUrls ?? [],
      scopes: input.scopes ?? ['mfa:send', 'mfa:verify'],
      emailFrom: input.emailFrom ?? undefined,
      emailTemplates: input.emailTemplates ?? [],
      allowTestDevices: input.allowTestDevices ?? false,
      testDevices: input.testDevices ? this.sealed(clientId, input.testDevices) : [],
      dailyBudget: input.dailyBudget ?? undefined,
      createdAt: now,
      updatedAt: now,
    };
  }
}

function withoutSecretHash(app: Application): StoredApplication {
  const copy: { -readonly [K in keyof Application]?: Application[K] } = { ...app };
  delete copy.secretHash;
  return copy as StoredApplication;
}

function toApplication(row: Record<string, string> | null | undefined): Application | undefined {
  if (!row?.['record']) {
    return undefined;
  }
  return {
    ...(JSON.parse(row['record']) as StoredApplication),
    secretHash: row['secretHash'],
  };
}

/** `null` clears senderId / webOtpDomain / emailFrom / dailyBudget; everything else replaces the old value. */
function applyChanges(
  current: Application,
  changes: Partial<Record<keyof StoredApplication, unknown>>,
  now: Date,
): StoredApplication {
  const next: Record<string, unknown> = {
    ...withoutSecretHash(current),
    ...changes,
    updatedAt: now.toISOString(),
  };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) {
      delete next[field];
    }
  }
  return next as StoredApplication;
}

function clientIdTaken(): CiamError {
  return new CiamError('INVALID_REQUEST', 'invalid clientId', {
    details: [{ field: 'clientId', message: 'is already registered' }],
  });
}
