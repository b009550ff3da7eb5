import { maskEmail, maskPhone } from '@sms-mfa/common/mask';
import { InvalidPhoneError, normalisePhone, type NormalisedPhone } from '@sms-mfa/common/phone';
import type { Application, DeviceType } from '../apps/application.js';
import { emailAddressOf, emailSenderOf } from '../email/email-destination.js';
import { CiamError } from '../errors.js';
import type { Channel } from '../messaging/reference-api-client.js';
import { pseudonym } from './pseudonym.js';

/** The device types this bridge can deliver a code to, and the reference API channel of each. */
const CHANNELS: Partial<Record<DeviceType, Channel>> = {
  SMS: 'sms',
  WHATSAPP: 'whatsapp',
  TELEGRAM: 'telegram',
  EMAIL: 'email',
};

/** Where a code goes: a phone number, or an email address for EMAIL. */
export interface Destination {
  readonly kind: 'phone' | 'email';
  /** E.164, or the address with its domain lower-cased; only in memory, the sealed copy and the message. */
  readonly address: string;
  /** `+91******212` or `j•••@example.com`: what records, logs, audit events and pages show. */
  readonly masked: string;
  /** The group the per-prefix limit counts: the calling code, or `@domain` for an address. */
  readonly group: string;
  /** ISO 3166 alpha-2 of a number, when known. */
  readonly country: string | undefined;
}

/** What a request names as its destination. */
export interface DestinationFields {
  readonly phoneNumber?: string | undefined;
  readonly email?: string | undefined;
}

/** The reference API channel for a device type. */
export function channelOf(deviceType: DeviceType): Channel {
  return CHANNELS[deviceType] ?? 'sms';
}

/**
 * The device type, upper-cased, if the application enabled it and we can deliver to it. EMAIL is
 * enabled per application only (it is not an out-of-band authenticator under NIST SP 800-63B).
 */
export function sendableDeviceType(app: Application, requested: string): DeviceType {
  const deviceType = requested.toUpperCase() as DeviceType;
  const shown = /^[A-Z]{1,16}$/.test(deviceType) ? deviceType : 'this deviceType';
  if (!app.deviceTypes.includes(deviceType)) {
    throw new CiamError('UNSUPPORTED_DEVICE_TYPE', `${shown} is not enabled for this application`, {
      details: [{ field: 'deviceType', message: 'is not enabled for this application' }],
    });
  }
  if (!CHANNELS[deviceType]) {
    throw new CiamError(
      'UNSUPPORTED_DEVICE_TYPE',
      `${shown} codes cannot be sent by this service`,
      { details: [{ field: 'deviceType', message: 'cannot be sent by this service' }] },
    );
  }
  return deviceType;
}

/**
 * The destination of a new code: for EMAIL the address (400 naming `email`), once the application has
 * a sender (403 EMAIL_NOT_ALLOWED); otherwise the number (400 naming `phoneNumber`), if its country is allowed.
 */
export function destinationOf(
  app: Application,
  deviceType: DeviceType,
  fields: DestinationFields,
): Destination {
  if (deviceType === 'EMAIL') {
    emailSenderOf(app);
    const { address, domain } = emailAddressOf(fields.email);
    const masked = maskEmail(address);
    return { kind: 'email', address, masked, group: `@${domain}`, country: undefined };
  }
  if (fields.phoneNumber === undefined) {
    throw new CiamError('INVALID_REQUEST', 'invalid phoneNumber', {
      details: [{ field: 'phoneNumber', message: `is required for deviceType ${deviceType}` }],
    });
  }
  const phone = allowedPhone(app, fields.phoneNumber);
  return {
    kind: 'phone',
    address: phone.e164,
    masked: maskPhone(phone.e164),
    group: phone.callingCode,
    country: phone.country,
  };
}

/** The keyed pseudonym a destination's sends are counted under (addresses compare case-insensitively). */
export function limitKeyOf(serverSecret: Buffer, deviceType: DeviceType, address: string): string {
  return deviceType === 'EMAIL'
    ? pseudonym(serverSecret, 'email', address.toLowerCase())
    : pseudonym(serverSecret, 'phone', address);
}

/** The number in E.164 if it is valid and its country is allowed for the application (SMS-pumping defence). */
export function allowedPhone(app: Application, input: string): NormalisedPhone {
  let phone: NormalisedPhone;
  try {
    phone = normalisePhone(input);
  } catch (err) {
    if (!(err instanceof InvalidPhoneError)) {
      throw err;
    }
    throw new CiamError('INVALID_PHONE_NUMBER', 'Invalid phone number', {
      details: [{ field: 'phoneNumber', message: err.message }],
    });
  }
  const allowed = app.allowedCountries;
  if (allowed.length > 0 && !(phone.country && allowed.includes(phone.country))) {
    throw new CiamError('FORBIDDEN', 'Sending to this country is not allowed for this application');
  }
  return phone;
}
