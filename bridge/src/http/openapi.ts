/** OpenAPI 3.1 description of the bridge; a test checks that every registered route is in it. */
import { emailDomainOperation } from './openapi-email.js';
import { schemas } from './openapi-schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (schema: object, type = 'application/json') => ({
  required: true,
  content: { [type]: { schema } },
});
const ok = (description: string, schema?: object) => ({
  description,
  ...(schema ? { content: { 'application/json': { schema } } } : {}),
});
const failures = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), ok('failure (CIAM shape)', ref('Failure'))]));
const oauthFailures = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), ok('OAuth error (RFC 6749 §5.2)', ref('OAuthError'))]),
  );
const realm = {
  name: 'realm',
  in: 'path',
  required: true,
  schema: { type: 'string', default: 'mfa' },
};
const clientId = { name: 'clientId', in: 'path', required: true, schema: { type: 'string' } };
const admin = [{ bearer: ['mfa:admin'] }];

const issuerPaths = {
  '/realms/{realm}/protocol/openid-connect/token': {
    post: {
      summary:
        'Client-credentials token (Keycloak-compatible); client authentication by HTTP Basic or form fields',
      parameters: [realm],
      security: [{ clientBasic: [] }, {}],
      requestBody: body(ref('TokenRequest'), 'application/x-www-form-urlencoded'),
      responses: {
        '200': ok('a signed RS256 access token', ref('KeycloakToken')),
        ...oauthFailures(400, 401, 404, 413, 429),
      },
    },
  },
  '/realms/{realm}/protocol/openid-connect/certs': {
    get: {
      summary: 'JWKS: the current signing key and retired keys whose tokens may still be alive',
      parameters: [realm],
      responses: { '200': ok('JWK set'), ...oauthFailures(404) },
    },
  },
  '/realms/{realm}/.well-known/openid-configuration': {
    get: {
      summary: 'OpenID Provider metadata of the embedded issuer',
      parameters: [realm],
      responses: { '200': ok('discovery document'), ...oauthFailures(404) },
    },
  },
  '/ciam-mfa/v2/get/token': {
    post: {
      summary: 'Client-credentials token at the published CIAM MFA API path (form-encoded only)',
      requestBody: body(ref('TokenRequest'), 'application/x-www-form-urlencoded'),
      responses: { '200': ok('access token', ref('CiamToken')), ...failures(400, 401, 413, 429) },
    },
  },
};

const authId = {
  name: 'authId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};
const sendScope = [{ bearer: ['mfa:send'] }];
const ciamFailures = failures(400, 401, 403, 404, 409, 410, 413, 429, 502, 503);

const ciamPaths = {
  '/ciam-mfa/v2/deviceAuthentications': {
    post: {
      summary:
        "Send a code to the device; with deviceType totp, start a sign-in that the user's authenticator app answers (nothing is sent)",
      security: sendScope,
      requestBody: body(ref('InitiateAuthentication')),
      responses: {
        '201': ok('OTP has been sent to the device (TOTP: nothing sent)', ref('Initiated')),
        ...ciamFailures,
      },
    },
  },
  '/ciam-mfa/v2/deviceAuthentications/{authId}': {
    post: {
      summary: 'Validate a code',
      security: [{ bearer: ['mfa:verify'] }],
      parameters: [authId],
      requestBody: body(ref('ValidateOtp')),
      responses: {
        '200': ok('OTP has been validated successfully', ref('Success')),
        ...ciamFailures,
      },
    },
    get: {
      summary: 'Status of an authentication (never the code)',
      security: [{ bearer: ['mfa:send'] }, { bearer: ['mfa:verify'] }],
      parameters: [authId],
      responses: { '200': ok('status', ref('AuthenticationStatus')), ...failures(401, 403, 404) },
    },
    delete: {
      summary: 'Cancel an authentication',
      security: sendScope,
      parameters: [authId],
      responses: { '204': ok('canceled'), ...failures(401, 403, 404, 409) },
    },
  },
  '/ciam-mfa/v2/deviceAuthentications/{authId}/resend': {
    post: {
      summary: 'Send the same code again after the cooldown',
      security: sendScope,
      parameters: [authId],
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: { ipAddress: { type: 'string' } },
            },
          },
        },
      },
      responses: { '200': ok('sent again', ref('Resent')), ...ciamFailures },
    },
  },
};

const userName = { name: 'userName', in: 'path', required: true, schema: { type: 'string' } };
const deviceId = {
  name: 'deviceId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

const devicePaths = {
  '/ciam-mfa/v2/users/{userName}/devices': {
    post: {
      summary:
        'Enrol an authenticator app (TOTP): the secret, otpauth URI and QR code are in this response only',
      security: sendScope,
      parameters: [userName],
      requestBody: body(ref('EnrolDevice')),
      responses: {
        '201': ok('enrolled; activate it with a first code', ref('EnrolledDevice')),
        ...failures(400, 401, 403, 409, 413, 429, 503),
      },
    },
    get: {
      summary: "The user's devices, pending and active (never a secret)",
      security: sendScope,
      parameters: [userName],
      responses: {
        '200': ok('devices', {
          type: 'object',
          properties: { devices: { type: 'array', items: ref('Device') } },
        }),
        ...failures(400, 401, 403),
      },
    },
  },
  '/ciam-mfa/v2/users/{userName}/devices/{deviceId}/activate': {
    post: {
      summary: 'Activate an enrolled device with a first code from the app',
      security: sendScope,
      parameters: [userName, deviceId],
      requestBody: body(ref('ValidateOtp')),
      responses: { '200': ok('active', ref('Device')), ...failures(400, 401, 403, 404, 409) },
    },
  },
  '/ciam-mfa/v2/users/{userName}/devices/{deviceId}': {
    delete: {
      summary: 'Remove a device; its codes stop working at once',
      security: sendScope,
      parameters: [userName, deviceId],
      responses: { '204': ok('removed'), ...failures(401, 403, 404) },
    },
  },
};

const eventsPath = {
  '/admin/v1/events': {
    get: {
      summary: 'The audit trail, newest first, a page at a time',
      security: admin,
      parameters: [
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
        {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      ],
      responses: {
        '200': ok('a page of events', {
          type: 'object',
          properties: {
            events: { type: 'array', items: { type: 'object' } },
            nextCursor: { type: 'string' },
          },
        }),
        ...failures(400, 401, 403),
      },
    },
  },
};

const adminPaths = {
  '/admin/v1/applications': {
    post: {
      summary: 'Register an application; the client secret is in this response only',
      security: admin,
      requestBody: body(ref('ApplicationInput')),
      responses: {
        '201': ok('created', {
          allOf: [
            ref('Application'),
            { type: 'object', properties: { clientSecret: { type: 'string' } } },
          ],
        }),
        ...failures(400, 401, 403),
      },
    },
    get: {
      summary: 'Every application',
      security: admin,
      responses: {
        '200': ok('applications', {
          type: 'object',
          properties: { applications: { type: 'array', items: ref('Application') } },
        }),
        ...failures(401, 403),
      },
    },
  },
  '/admin/v1/applications/{clientId}': {
    get: {
      summary: 'One application',
      security: admin,
      parameters: [clientId],
      responses: { '200': ok('the application', ref('Application')), ...failures(401, 403, 404) },
    },
    patch: {
      summary: 'Change settings (any subset; null clears senderId or webOtpDomain)',
      security: admin,
      parameters: [clientId],
      requestBody: body(ref('ApplicationInput')),
      responses: {
        '200': ok('the application', ref('Application')),
        ...failures(400, 401, 403, 404),
      },
    },
    delete: {
      summary: 'Remove an application; its tokens stop working at once',
      security: admin,
      parameters: [clientId],
      responses: { '204': ok('removed'), ...failures(401, 403, 404) },
    },
  },
  '/admin/v1/applications/{clientId}/secret': {
    post: {
      summary: 'Rotate the client secret; the new one is in this response only',
      security: admin,
      parameters: [clientId],
      responses: {
        '200': ok('new secret', {
          type: 'object',
          properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' } },
        }),
        ...failures(401, 403, 404),
      },
    },
  },
  '/admin/v1/applications/{clientId}/email-domain': emailDomainOperation(
    clientId,
    admin,
    failures(400, 401, 403, 404),
  ),
  '/admin/v1/applications/{clientId}/quarantines': {
    get: {
      summary:
        'Destination prefixes in SMS-pumping quarantine for the application: many codes requested, few entered',
      security: admin,
      parameters: [clientId],
      responses: {
        '200': ok('{clientId, quarantines: [{prefix, until}]}'),
        ...failures(401, 403, 404),
      },
    },
  },
  '/admin/v1/applications/{clientId}/quarantines/{prefix}': {
    delete: {
      summary: 'Release a quarantined prefix early (its count of sends starts over)',
      security: admin,
      parameters: [
        clientId,
        {
          name: 'prefix',
          in: 'path',
          required: true,
          schema: { type: 'string', examples: ['+88234'] },
        },
      ],
      responses: { '204': { description: 'released' }, ...failures(401, 403, 404) },
    },
  },
  '/admin/v1/keys/rotate': {
    post: {
      summary:
        "Rotate the embedded issuer's signing key; the old key stays published until its tokens expire",
      security: admin,
      responses: { '200': ok('the new and previous key ids'), ...failures(401, 403) },
    },
  },
};

const operationsPaths = {
  '/healthz': { get: { summary: 'The process is up', responses: { '200': ok('up') } } },
  '/readyz': {
    get: {
      summary: 'Redis is reachable',
      responses: { '200': ok('ready'), '503': ok('not ready') },
    },
  },
  '/metrics': {
    get: { summary: 'Prometheus metrics', responses: { '200': ok('text exposition format') } },
  },
  '/openapi.json': { get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } } },
};

/** The document served at `/openapi.json`. */
export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'sms-mfa bridge (CIAM MFA API v2)',
    version: '0.1.0',
    description:
      'One-time codes by SMS, WhatsApp, Telegram and email; an embedded Keycloak-compatible token issuer; application registry.',
  },
  servers: [{ url: 'http://localhost:3000' }],
  paths: {
    ...ciamPaths,
    ...devicePaths,
    ...issuerPaths,
    ...adminPaths,
    ...eventsPath,
    ...operationsPaths,
  } as Record<string, object>,
  components: {
    securitySchemes: {
      bearer: {
        type: 'oauth2',
        flows: {
          clientCredentials: {
            tokenUrl: '/realms/mfa/protocol/openid-connect/token',
            scopes: {
              'mfa:send': 'request codes',
              'mfa:verify': 'validate codes',
              'mfa:admin': 'administration',
            },
          },
        },
      },
      clientBasic: { type: 'http', scheme: 'basic' },
    },
    schemas,
  },
};
