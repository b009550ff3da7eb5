import { CiamError } from '../errors.js';
import { dkimView } from '../email/dkim-key.js';
import { emailFromProblems } from '../email/email-from.js';
import type { Application } from './application.js';
import { testDeviceProblems, testDevicesView } from './test-devices.js';

/** An application as the admin API shows it: no secret hash, no DKIM private key, no test codes. */
export type ApplicationView = Omit<
  Application,
  'secretHash' | 'emailDkim' | 'testDevices' | 'dailyBudget'
> & {
  readonly emailDkim?: ReturnType<typeof dkimView>;
  readonly testDevices?: { device: string }[];
  /** null when the application has no cap. */
  readonly dailyBudget: Application['dailyBudget'] | null;
};

/** The application without anything secret, for responses and listings. */
export function applicationView(app: Application): ApplicationView {
  const { emailDkim, testDevices, dailyBudget, ...rest } = app;
  const view: ApplicationView & { secretHash?: string | undefined } = {
    ...rest,
    dailyBudget: dailyBudget ?? null,
    ...(emailDkim ? { emailDkim: dkimView(emailDkim) } : {}),
    ...(testDevices ? { testDevices: testDevicesView(app) } : {}),
  };
  delete view.secretHash;
  return view;
}

/**
 * Refuses settings that are each valid but wrong together (400 naming each field): test devices
 * without allowTestDevices or with codes of another length, emailFrom off the DKIM key's domain.
 */
export function checkApplication(serverSecret: Buffer | undefined, app: Application): void {
  const details = [...testDeviceProblems(serverSecret, app), ...emailFromProblems(app)];
  if (details.length > 0) {
    throw new CiamError('INVALID_REQUEST', `invalid ${details.map((d) => d.field).join(', ')}`, {
      details,
    });
  }
}
