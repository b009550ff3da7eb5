/** OpenAPI 3.1 description of the bridge; a test checks that every registered route is in it. */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (schema: object, type = 'application/json') => ({ required: true, content: { [type]: { schema } } });
const ok = (description: string, schema?: object) => ({ description, ...(schema ? { content: { 'application/json': { schema } } } : {}) });
const failures = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), ok('failure (CIAM shape)', ref('Failure'))]));
const oauthFailures = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), ok('OAuth error (RFC 6749 §5.2)', ref('OAuthError'))]));
const realm = { name: 'realm', in: 'path', required: true, schema: { type: 'string', default: 'mfa' } };
const clientId = { name: 'clientId', in: 'path', required: true, schema: { type: 'string' } };
const admin = [{ bearer: ['mfa:admin'] }];

const issuerPaths = {
  '/realms/{realm}/protocol/openid-connect/token': {
    post: {
      summary: 'Client-credentials token (Keycloak-compatible); client authentication by HTTP Basic or form fields',
      parameters: [realm], security: [{ clientBasic: [] }, {}],
      requestBody: body(ref('TokenRequest'), 'application/x-www-form-urlencoded'),
      responses: { '200': ok('a signed RS256 access token', ref('KeycloakToken')), ...oauthFailures(400, 401, 404, 413) },
    },
  },
  '/realms/{realm}/protocol/openid-connect/certs': {
    get: { summary: 'JWKS: the current signing key and retired keys whose tokens may still be alive', parameters: [realm], responses: { '200': ok('JWK set'), ...oauthFailures(404) } },
  },
  '/realms/{realm}/.well-known/openid-configuration': {
    get: { summary: 'OpenID Provider metadata of the embedded issuer', parameters: [realm], responses: { '200': ok('discovery document'), ...oauthFailures(404) } },
  },
  '/ciam-mfa/v2/get/token': {
    post: {
      summary: 'Client-credentials token at the published CIAM MFA API path (form-encoded only)',
      requestBody: body(ref('TokenRequest'), 'application/x-www-form-urlencoded'),
      responses: { '200': ok('access token', ref('CiamToken')), ...failures(400, 401, 413) },
    },
  },
};

const adminPaths = {
  '/admin/v1/applications': {
    post: {
      summary: 'Register an application; the client secret is in this response only', security: admin,
      requestBody: body(ref('ApplicationInput')),
      responses: { '201': ok('created', { allOf: [ref('Application'), { type: 'object', properties: { clientSecret: { type: 'string' } } }] }), ...failures(400, 401, 403) },
    },
    get: { summary: 'Every application', security: admin, responses: { '200': ok('applications', { type: 'object', properties: { applications: { type: 'array', items: ref('Application') } } }), ...failures(401, 403) } },
  },
  '/admin/v1/applications/{clientId}': {
    get: { summary: 'One application', security: admin, parameters: [clientId], responses: { '200': ok('the application', ref('Application')), ...failures(401, 403, 404) } },
    patch: { summary: 'Change settings (any subset; null clears senderId or webOtpDomain)', security: admin, parameters: [clientId], requestBody: body(ref('ApplicationInput')), responses: { '200': ok('the application', ref('Application')), ...failures(400, 401, 403, 404) } },
    delete: { summary: 'Remove an application; its tokens stop working at once', security: admin, parameters: [clientId], responses: { '204': ok('removed'), ...failures(401, 403, 404) } },
  },
  '/admin/v1/applications/{clientId}/secret': {
    post: { summary: 'Rotate the client secret; the new one is in this response only', security: admin, parameters: [clientId], responses: { '200': ok('new secret', { type: 'object', properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' } } }), ...failures(401, 403, 404) } },
  },
  '/admin/v1/keys/rotate': {
    post: { summary: 'Rotate the embedded issuer\'s signing key; the old key stays published until its tokens expire', security: admin, responses: { '200': ok('the new and previous key ids'), ...failures(401, 403) } },
  },
};

const operationsPaths = {
  '/healthz': { get: { summary: 'The process is up', responses: { '200': ok('up') } } },
  '/readyz': { get: { summary: 'Redis is reachable', responses: { '200': ok('ready'), '503': ok('not ready') } } },
  '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': ok('text exposition format') } } },
  '/openapi.json': { get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } } },
};

const template = {
  type: 'object', additionalProperties: false, required: ['text'],
  properties: {
    name: { type: 'string', default: 'default', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    locale: { type: 'string', default: 'en', description: 'BCP 47' },
    deviceType: { type: 'string', enum: ['SMS', 'EMAIL', 'TOTP', 'WHATSAPP', 'TELEGRAM'], default: 'SMS' },
    text: { type: 'string', maxLength: 320, description: 'must contain {code}; may contain {minutes} and {brand}; no other braces' },
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
  allowedCountries: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{2}$' }, description: 'ISO 3166-1 alpha-2; empty allows every country' },
  senderId: { type: ['string', 'null'] },
  webOtpDomain: { type: ['string', 'null'] },
  returnUrls: { type: 'array', maxItems: 20, items: { type: 'string', format: 'uri' } },
  scopes: { type: 'array', items: { type: 'string', enum: ['mfa:send', 'mfa:verify', 'mfa:admin'] } },
};

/** The document served at `/openapi.json`; deviceauth paths join it when that router exists. */
export const openapi = {
  openapi: '3.1.0',
  info: { title: 'sms-mfa bridge (CIAM MFA API v2)', version: '0.1.0', description: 'One-time codes by SMS, WhatsApp and Telegram; an embedded Keycloak-compatible token issuer; application registry.' },
  servers: [{ url: 'http://localhost:3000' }],
  paths: { ...issuerPaths, ...adminPaths, ...operationsPaths } as Record<string, object>,
  components: {
    securitySchemes: {
      bearer: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/realms/mfa/protocol/openid-connect/token', scopes: { 'mfa:send': 'request codes', 'mfa:verify': 'validate codes', 'mfa:admin': 'administration' } } } },
      clientBasic: { type: 'http', scheme: 'basic' },
    },
    schemas: {
      TokenRequest: {
        type: 'object', required: ['grant_type'],
        properties: { grant_type: { const: 'client_credentials' }, client_id: { type: 'string' }, client_secret: { type: 'string' }, scope: { type: 'string' } },
      },
      KeycloakToken: {
        type: 'object', required: ['access_token', 'expires_in', 'token_type'],
        properties: { access_token: { type: 'string' }, expires_in: { type: 'integer' }, refresh_expires_in: { const: 0 }, token_type: { const: 'Bearer' }, 'not-before-policy': { const: 0 }, scope: { type: 'string' } },
      },
      CiamToken: { type: 'object', required: ['access_token', 'token_type', 'expires_in'], properties: { access_token: { type: 'string' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' } } },
      OAuthError: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, error_description: { type: 'string' } } },
      ApplicationInput: { type: 'object', additionalProperties: false, properties: { clientId: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' }, ...settings } },
      Application: { type: 'object', properties: { clientId: { type: 'string' }, ...settings, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } } },
      Failure: {
        type: 'object', required: ['status', 'code', 'message', 'traceId', 'timestamp'],
        properties: {
          status: { const: 'FAILURE' }, code: { type: 'string' }, message: { type: 'string' }, errorCode: { type: 'integer' },
          traceId: { type: 'string' }, timestamp: { type: 'string', format: 'date-time' },
          details: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
};
