/** Component schemas of the bridge's OpenAPI document (openapi.ts). */
import { emailSettingsInput, emailSettingsView } from './openapi-email.js';

const template = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    name: { type: 'string', default: 'default', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    locale: { type: 'string', default: 'en', description: 'BCP 47' },
    deviceType: {
      type: 'string',
      enum: ['SMS', 'EMAIL', 'TOTP', 'WHATSAPP', 'TELEGRAM'],
      default: 'SMS',
    },
    text: {
      type: 'string',
      maxLength: 320,
      description: 'must contain {code}; may contain {minutes} and {brand}; no other braces',
    },
  },
};

const settings = {
  name: { type: 'string', maxLength: 100 },
  brand: { type: 'string', maxLength: 40 },
  templates: { type: 'array', maxItems: 50, items: template },
  codeLength: { type: 'integer', minimum: 4, maximum: 10 },
  otpTtlSeconds: { type: 'integer', minimum: 60, maximum: 600 },
  maxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
  resendCooldownSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
  maxSendsPerAuth: { type: 'integer', minimum: 1, maximum: 20 },
  deviceTypes: { type: 'array', items: { type: 'string' } },
  totp: {
    type: 'object',
    additionalProperties: false,
    description:
      'how new authenticator apps are enrolled (TOTP must be in deviceTypes); period 30 s',
    properties: {
      algorithm: { type: 'string', enum: ['SHA1', 'SHA256', 'SHA512'], default: 'SHA1' },
      digits: { type: 'integer', enum: [6, 8], default: 6 },
    },
  },
  allowedCountries: {
    type: 'array',
    items: { type: 'string', pattern: '^[A-Za-z]{2}$' },
    description: 'ISO 3166-1 alpha-2; empty allows every country',
  },
  senderId: { type: ['string', 'null'] },
  webOtpDomain: { type: ['string', 'null'] },
  returnUrls: { type: 'array', maxItems: 20, items: { type: 'string', format: 'uri' } },
  scopes: {
    type: 'array',
    items: { type: 'string', enum: ['mfa:send', 'mfa:verify', 'mfa:admin'] },
  },
  dailyBudget: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['amount', 'currency'],
    description:
      "what the application's sends may cost per UTC day (the reference API's price table estimates each); spent: 429 BUDGET_EXCEEDED until 00:00 UTC. null: no cap",
    properties: {
      amount: { type: 'number', exclusiveMinimum: 0 },
      currency: { type: 'string', pattern: '^[A-Za-z]{3}$', examples: ['USD'] },
    },
  },
};

const device = {
  type: 'object',
  required: ['deviceId', 'deviceType', 'status'],
  properties: {
    deviceId: { type: 'string', format: 'uuid' },
    deviceType: { const: 'TOTP' },
    status: { type: 'string', enum: ['ACTIVATION_REQUIRED', 'ACTIVE'] },
    algorithm: { type: 'string', enum: ['SHA1', 'SHA256', 'SHA512'] },
    digits: { type: 'integer', enum: [6, 8] },
    period: { type: 'integer', const: 30 },
    createdAt: { type: 'string', format: 'date-time' },
    activatedAt: { type: ['string', 'null'], format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    expiresAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'a pending enrolment is dropped then unless activated',
    },
  },
};

/** `components.schemas`: request and response bodies. */
export const schemas = {
  InitiateAuthentication: {
    type: 'object',
    additionalProperties: false,
    required: ['userName', 'deviceType'],
    properties: {
      userName: { type: 'string', maxLength: 256, examples: ['jdoe'] },
      phoneNumber: {
        type: 'string',
        maxLength: 64,
        examples: ['+91-8212345212'],
        description:
          'required for SMS, WHATSAPP and TELEGRAM; spaces, dashes, dots and brackets are allowed; normalised to E.164',
      },
      email: {
        type: 'string',
        maxLength: 254,
        examples: ['jane@example.com'],
        description: 'required for EMAIL (and only there); syntax checked, domain lower-cased',
      },
      deviceType: {
        type: 'string',
        examples: ['sms'],
        description:
          'case-insensitive: SMS, WHATSAPP, TELEGRAM, EMAIL, TOTP as the application allows',
      },
      templateName: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
      locale: { type: 'string', examples: ['pt-BR'] },
      ipAddress: { type: 'string', description: "the end user's IP, for the per-IP limit" },
    },
  },
  Initiated: {
    type: 'object',
    required: ['authId', 'status', 'message'],
    properties: {
      authId: { type: 'string', format: 'uuid' },
      status: { const: 'SUCCESS' },
      message: {
        enum: [
          'OTP has been sent to the device ',
          'Please get the OTP from registered device to authenticate',
        ],
      },
    },
  },
  ValidateOtp: {
    type: 'object',
    additionalProperties: false,
    required: ['otp'],
    properties: {
      otp: { type: 'string', examples: ['523471'] },
      deviceType: { type: 'string' },
    },
  },
  Success: {
    type: 'object',
    required: ['status', 'message'],
    properties: { status: { const: 'SUCCESS' }, message: { type: 'string' } },
  },
  AuthenticationStatus: {
    type: 'object',
    properties: {
      authId: { type: 'string' },
      status: {
        type: 'string',
        enum: ['pending', 'approved', 'expired', 'max_attempts_reached', 'canceled'],
      },
      deviceType: { type: 'string' },
      phoneNumber: { type: 'string', description: 'masked (not for EMAIL)' },
      email: { type: 'string', description: 'masked, e.g. j•••@example.com (EMAIL only)' },
      attemptsRemaining: { type: 'integer' },
      sendsRemaining: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' },
      expiresAt: { type: 'string', format: 'date-time' },
      resendAvailableAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  Resent: {
    type: 'object',
    properties: {
      authId: { type: 'string' },
      status: { const: 'SUCCESS' },
      message: { type: 'string' },
      resendAvailableAt: { type: 'string', format: 'date-time' },
      sendsRemaining: { type: 'integer' },
    },
  },
  EnrolDevice: {
    type: 'object',
    additionalProperties: false,
    required: ['deviceType'],
    properties: { deviceType: { type: 'string', examples: ['totp'], description: 'TOTP' } },
  },
  Device: device,
  EnrolledDevice: {
    allOf: [
      device,
      {
        type: 'object',
        required: ['secret', 'otpauthUri', 'qrCode'],
        properties: {
          secret: { type: 'string', description: 'base32; shown this once' },
          otpauthUri: { type: 'string', examples: ['otpauth://totp/Acme:jdoe?secret=…'] },
          qrCode: { type: 'string', description: 'the otpauth URI as an SVG data: URI' },
        },
      },
    ],
  },
  TokenRequest: {
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: { const: 'client_credentials' },
      client_id: { type: 'string' },
      client_secret: { type: 'string' },
      scope: { type: 'string' },
    },
  },
  KeycloakToken: {
    type: 'object',
    required: ['access_token', 'expires_in', 'token_type'],
    properties: {
      access_token: { type: 'string' },
      expires_in: { type: 'integer' },
      refresh_expires_in: { const: 0 },
      token_type: { const: 'Bearer' },
      'not-before-policy': { const: 0 },
      scope: { type: 'string' },
    },
  },
  CiamToken: {
    type: 'object',
    required: ['access_token', 'token_type', 'expires_in'],
    properties: {
      access_token: { type: 'string' },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer' },
    },
  },
  OAuthError: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  },
  ApplicationInput: {
    type: 'object',
    additionalProperties: false,
    properties: {
      clientId: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' },
      ...settings,
      ...emailSettingsInput,
    },
  },
  Application: {
    type: 'object',
    properties: {
      clientId: { type: 'string' },
      ...settings,
      ...emailSettingsView,
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  Failure: {
    type: 'object',
    required: ['status', 'code', 'message', 'traceId', 'timestamp'],
    properties: {
      status: { const: 'FAILURE' },
      code: { type: 'string' },
      message: { type: 'string' },
      errorCode: { type: 'integer' },
      traceId: { type: 'string' },
      timestamp: { type: 'string', format: 'date-time' },
      details: {
        type: 'array',
        items: {
          type: 'object',
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
};
