import type { z } from 'zod';
import { parseInput } from './application-input.js';
import type { ApplicationStore } from './application-store.js';
import type { Application } from './application.js';
import {
  normaliseDevice,
  required,
  sameDevice,
  sealTestDevices,
  testDeviceSchema,
} from './test-devices.js';

/** Adds a test device to an application, or gives one it has a new code; undefined when no such application. */
export async function putTestDevice(
  apps: ApplicationStore,
  serverSecret: Buffer | undefined,
  clientId: string,
  input: z.input<typeof testDeviceSchema>,
): Promise<Application | undefined> {
  const entry = parseInput(testDeviceSchema, input);
  const [sealed] = sealTestDevices(required(serverSecret), clientId, [entry]);
  return apps.change(clientId, (current) => ({
    testDevices: [
      ...(current.testDevices ?? []).filter((d) => !sameDevice(d.device, entry.device)),
      sealed,
    ],
  }));
}

/** Removes a test device; `removed` is false when the application had no such device. */
export async function removeTestDevice(
  apps: ApplicationStore,
  clientId: string,
  device: string,
): Promise<{ application: Application; removed: boolean } | undefined> {
  const normalised = normaliseDevice(device);
  const wanted = typeof normalised === 'string' ? normalised : device;
  let removed = false;
  const application = await apps.change(clientId, (current) => {
    const kept = (current.testDevices ?? []).filter((d) => !sameDevice(d.device, wanted));
    removed = kept.length < (current.testDevices ?? []).length;
    return { testDevices: kept };
  });
  return application && { application, removed };
}
