import type { Application } from '../apps/application.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { userKeyOf } from '../otp/pseudonym.js';
import { deviceView, type DeviceView } from './device-view.js';
import { deviceNotFound } from './totp-errors.js';

/** The user's devices in this application, pending and active, oldest first; never a secret. */
export async function listDevices(
  deps: OtpDeps,
  app: Application,
  userName: string,
): Promise<DeviceView[]> {
  const userKey = userKeyOf(deps.serverSecret, app.clientId, userName);
  const devices = await deps.devices.list(userKey, deps.now());
  return devices
    .filter((d) => d.clientId === app.clientId)
    .map((d) => deviceView(d, deps.devices.limits.pendingTtlMs));
}

/** Removes one of the user's devices: its codes stop working at once. 404 when there is none. */
export async function removeDevice(
  deps: OtpDeps,
  app: Application,
  userName: string,
  deviceId: string,
): Promise<void> {
  const userKey = userKeyOf(deps.serverSecret, app.clientId, userName);
  if (!(await deps.devices.remove(userKey, deviceId))) {
    throw deviceNotFound();
  }
  deps.logger.info('totp device removed', { application: app.clientId, deviceId });
  await deps.audit.record({
    type: 'device_removed',
    application: app.clientId,
    deviceId,
    outcome: 'success',
  });
}
