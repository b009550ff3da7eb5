/**
 * Where a user's devices live in Redis, under the key prefix's hash tag like every other record,
 * so that the verify script can update a device and consume an authentication atomically.
 */
export const deviceKeys = {
  /** Sorted set of the user's device ids, each scored by when it expires (+inf once active). */
  index: (prefix: string, userKey: string) => `${prefix}:totp-devices:${userKey}`,
  /** Set of the user keys of an application that ever enrolled a device, to remove them with the application. */
  users: (prefix: string, clientId: string) => `${prefix}:totp-users:${clientId}`,
  /** One device (hash). */
  device: (prefix: string, userKey: string, deviceId: string) =>
    `${prefix}:totp-device:${userKey}:${deviceId}`,
};
