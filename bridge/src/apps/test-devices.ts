// Test numbers and addresses with a fixed code (app-store reviews, staging): a send to one sends
// nothing and its fixed code validates. The code is a secret: sealed at rest, never shown or logged.
import { z } from 'zod';
import { deriveKey, openText, sealText } from '@sms-mfa/common/aead';
import type { FieldIssue } from '@sms-mfa/common/app-error';
import { InvalidEmailError, normaliseEmail } from '@sms-mfa/common/email-address';
import { InvalidPhoneError, normalisePhone } from '@sms-mfa/common/phone';
import type { Application, StoredTestDevice } from './application.js';
import { noRepeats } from './no-repeats.js';

/** Most test devices an application may have. */
export const MAX_TEST_DEVICES = 10;

const SEAL_INFO = 'sms-mfa test device codes v1';
const KINDS = ['device', 'phoneNumber', 'email'] as const;

/** A test device as an administrator gives it: a number or an address, and its fixed code in clear. */
export interface TestDeviceInput {
  readonly device: string;
  readonly code: string;
}

/** One test device: exactly one of `phoneNumber`, `email` or `device` (either), and its fixed `code`. */
export const testDeviceSchema = z
  .strictObject({
    device: z.string().max(320).optional(),
    phoneNumber: z.string().max(64).optional(),
    email: z.string().max(320).optional(),
    code: z.string().regex(/^\d{4,10}$/, 'must be 4 to 10 digits (the application’s codeLength)'),
  })
  .transform((input, ctx): TestDeviceInput => {
    const given = KINDS.filter((kind) => input[kind] !== undefined);
    const [kind] = given;
    if (given.length !== 1 || !kind) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of phoneNumber, email or device' });
      return z.NEVER;
    }
    const device = normaliseDevice(input[kind]!, kind);
    if (typeof device !== 'string') {
      ctx.addIssue({ code: 'custom', path: [kind], message: device.problem });
      return z.NEVER;
    }
    return { device, code: input.code };
  });

/** `testDevices` of the admin API and the CLI: at most 10, each number or address once. */
export const testDevicesSchema = z
  .array(testDeviceSchema)
  .max(MAX_TEST_DEVICES, `must have at most ${MAX_TEST_DEVICES} entries`)
  .superRefine(noRepeats((entry) => entry.device.toLowerCase(), 'repeats another test device'));

/** A number in E.164 or an address with its domain lower-cased, or what is wrong with it. */
export function normaliseDevice(
  value: string,
  kind: (typeof KINDS)[number] = 'device',
): string | { problem: string } {
  const isEmail = kind === 'email' || (kind === 'device' && value.includes('@'));
  try {
    return isEmail ? normaliseEmail(value) : normalisePhone(value).e164;
  } catch (err) {
    if (err instanceof InvalidEmailError || err instanceof InvalidPhoneError) {
      return { problem: err.message };
    }
    throw err;
  }
}

/** Seals each fixed code, bound to the application and the device (a sealed code moved elsewhere does not open). */
export function sealTestDevices(
  serverSecret: Buffer,
  clientId: string,
  inputs: readonly TestDeviceInput[],
): StoredTestDevice[] {
  const key = deriveKey(serverSecret, SEAL_INFO);
  return inputs.map(({ device, code }) => ({
    device,
    sealedCode: sealText(key, context(clientId, device), code),
  }));
}

/** The fixed code of `device` when it is one of the application's test devices and they are allowed. */
export function testDeviceCode(
  serverSecret: Buffer,
  app: Application,
  device: string,
): string | undefined {
  if (!app.allowTestDevices) {
    return undefined;
  }
  const found = (app.testDevices ?? []).find((d) => sameDevice(d.device, device));
  return found && openCode(serverSecret, app.clientId, found);
}

/** What is wrong with an application's test devices as a whole: not allowed, or codes of the wrong length. */
export function testDeviceProblems(
  serverSecret: Buffer | undefined,
  app: Application,
): FieldIssue[] {
  const devices = app.testDevices ?? [];
  if (devices.length === 0) {
    return [];
  }
  if (!app.allowTestDevices) {
    return [
      {
        field: 'testDevices',
        message:
          'are refused unless allowTestDevices is true (send testDevices: [] to remove them)',
      },
    ];
  }
  if (devices.length > MAX_TEST_DEVICES) {
    return [{ field: 'testDevices', message: `must have at most ${MAX_TEST_DEVICES} entries` }];
  }
  const secret = required(serverSecret);
  return devices.flatMap((d, i) => {
    const problems: FieldIssue[] = [];
    if (openCode(secret, app.clientId, d).length !== app.codeLength) {
      problems.push({
        field: `testDevices.${i}.code`,
        message: `must be ${app.codeLength} digits (the application’s codeLength)`,
      });
    }
    const isPhone = !d.device.includes('@');
    const country = isPhone ? normalisePhone(d.device).country : undefined;
    const allowed = app.allowedCountries;
    if (isPhone && allowed.length > 0 && !(country && allowed.includes(country))) {
      problems.push({
        field: `testDevices.${i}`,
        message: `is in ${country ?? 'no country'}, which allowedCountries does not list`,
      });
    }
    return problems;
  });
}

/** Whether two normalised devices are the same: numbers are E.164, addresses compare case-insensitively. */
export function sameDevice(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Test devices as the admin API shows them: the device only, never its code. */
export function testDevicesView(app: Application): { device: string }[] {
  return (app.testDevices ?? []).map(({ device }) => ({ device }));
}

function openCode(serverSecret: Buffer, clientId: string, d: StoredTestDevice): string {
  return openText(deriveKey(serverSecret, SEAL_INFO), context(clientId, d.device), d.sealedCode);
}

function context(clientId: string, device: string): string {
  return `${clientId}\0${device}`;
}

/** The server secret, which sealing needs; its absence is a setup mistake, not bad input. */
export function required(serverSecret: Buffer | undefined): Buffer {
  if (!serverSecret) {
    throw new TypeError(
      'no server secret to seal with: set BRIDGE_SECRET, or run where the bridge keeps DATA_DIR/bridge-secret',
    );
  }
  return serverSecret;
}
