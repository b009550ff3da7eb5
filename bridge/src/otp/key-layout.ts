// Where each bridge record lives in Redis, so that a Redis Cluster spreads them over its masters:
// a key's slot comes from its hash tag (the first `{...}`), so one tag for everything would put the
// whole bridge on one master. Records that one script or MULTI changes together share a tag (a
// user's authentications, failure count and TOTP devices: `{u:<tag>}`; an application's pumping
// window and quarantines: `{pump:<clientId>}`), and everything else carries none, so each key
// hashes on its own (rate-limit counters, per-application indexes). Small, read-mostly records
// (applications, signing keys, the spend ledger) stay under KEY_PREFIX's own tag, `{mfa}`.
import { createHash, randomUUID } from 'node:crypto';

/** How many audit streams the trail is spread over (one per `{audit:<n>}` tag). */
export const AUDIT_SHARDS = 16;

const TAG = /^[0-9a-f]{4}$/;

/** `mfa` for the KEY_PREFIX `{mfa}`: the bare name new keys start with, outside any hash tag. */
export function bareName(keyPrefix: string): string {
  return keyPrefix.replace(/^\{(.*)\}$/, '$1');
}

/** A user's hash tag: 4 hex digits of SHA-256 of the user key, so users spread over 65 536 tags. */
export function userTag(userKey: string): string {
  return createHash('sha256').update(userKey).digest('hex').slice(0, 4);
}

/** A fresh authId for a user: a v4 UUID whose first 4 hex digits are the user's tag, so the authId alone finds the slot. */
export function newAuthId(userKey: string): string {
  return userTag(userKey) + randomUUID().slice(4);
}

/** True when `authId` starts with a tag (4 lower-case hex digits), as every authId we issue does. */
export function carriesTag(authId: string): boolean {
  return TAG.test(authId.slice(0, 4));
}

/** The tag an authId carries (its first 4 hex digits); TypeError for anything that is not one of ours. */
export function tagOfAuthId(authId: string): string {
  if (!carriesTag(authId)) {
    throw new TypeError('tagOfAuthId: an authId starts with 4 lower-case hex digits');
  }
  return authId.slice(0, 4);
}

/** Which audit stream events carrying `tag` go to. */
export function auditShardOf(tag: string): number {
  return Number.parseInt(tag, 16) % AUDIT_SHARDS;
}

/** Every key name the bridge builds from KEY_PREFIX (`{mfa}` → `mfa:{u:1a2b}:auth:…`). */
export class KeyLayout {
  readonly name: string;

  constructor(readonly keyPrefix: string) {
    this.name = bareName(keyPrefix);
  }

  /** One authentication (hash), on its user's slot. */
  auth(authId: string): string {
    return `${this.name}:{u:${tagOfAuthId(authId)}}:auth:${authId}`;
  }

  /** A user's consecutive failures and wait (hash), on the user's slot. */
  userFailures(userKey: string): string {
    return `${this.user(userKey)}:user-failures:${userKey}`;
  }

  /** A user's TOTP device ids (sorted set: id → expiry ms, +inf once active), on the user's slot. */
  totpDevices(userKey: string): string {
    return `${this.user(userKey)}:totp-devices:${userKey}`;
  }

  /** One TOTP device (hash), on the user's slot. */
  totpDevice(userKey: string, deviceId: string): string {
    return `${this.user(userKey)}:totp-device:${userKey}:${deviceId}`;
  }

  /** The user keys of an application that ever enrolled a device (set); no tag: a slot of its own. */
  totpUsers(clientId: string): string {
    return `${this.name}:totp-users:${clientId}`;
  }

  /** An application's sliding window of sends and validations to one destination prefix (hash). */
  pumpWindow(clientId: string, prefix: string): string {
    return `${this.name}:{pump:${clientId}}:w:${prefix}`;
  }

  /** An application's quarantined prefixes (sorted set), on the slot of its windows. */
  pumpQuarantines(clientId: string): string {
    return `${this.name}:{pump:${clientId}}:q`;
  }

  /** rate-limiter-flexible's keyPrefix for one limit; no tag, so each counter hashes on its own. */
  rateLimit(limit: string): string {
    return `${this.name}:rl:${limit}`;
  }

  /** Audit stream `shard` (0 … {@link AUDIT_SHARDS} - 1). */
  auditShard(shard: number): string {
    return `${this.name}:{audit:${shard}}:events`;
  }

  /** The one audit stream of the single-tag layout: no longer written, still read. */
  legacyAudit(): string {
    return `${this.keyPrefix}:events`;
  }

  private user(userKey: string): string {
    return `${this.name}:{u:${userTag(userKey)}}`;
  }
}
