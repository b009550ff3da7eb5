import { InvalidPhoneError, normalisePhone, type NormalisedPhone } from '@sms-mfa/common/phone';
import type { Application, DeviceType } from '../apps/application.js';
import { CiamError } from '../errors.js';
import type { Channel } from '../messaging/reference-api-client.js';

/** The device types this bridge can deliver a code to, and the reference API channel of each. */
const CHANNELS: Partial<Record<DeviceType, Channel>> = {
  SMS: 'sms',
  WHATSAPP: 'whatsapp',
  TELEGRAM: 'telegram',
};

/** The reference API channel for a device type. */
export function channelOf(deviceType: DeviceType): Channel {
  return CHANNELS[deviceType] ?? 'sms';
}

/**
 * The device type, upper-cased, if the application enabled it and we can deliver to it.
 * EMAIL and TOTP are known CIAM device types but nothing here sends them (NIST forbids email for OOB anyway).
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
