/** OpenAPI 3.1 description of the reference API; a test keeps it true to the routes. */
const error = { $ref: '#/components/schemas/Error' };
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      { description: 'error', content: { 'application/json': { schema: error } } },
    ]),
  );
const accepted = {
  description: 'queued',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
};
const account = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[\\x20-\\x7E]+$',
  description:
    "the caller's own application id (printable ASCII), for spend accounting: the application label of mfa_spend_total",
  examples: ['shop'],
};
const money = (description: string) => ({
  type: 'object',
  required: ['amount', 'currency'],
  description,
  properties: {
    amount: { type: 'number', minimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['USD'] },
  },
});
const json = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
const security = [{ bearer: [] }, { apiKey: [] }, {}];

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'sms-mfa reference messaging API',
    version: '0.1.0',
    description: 'Accepts {mobile, totp}, queues it, delivers it through a chain of providers.',
  },
  servers: [{ url: 'http://localhost:3412' }],
  paths: {
    '/api/sms': {
      post: {
        summary: 'Send a code or a text (the QriarLabs api-sms-authenticator payload)',
        security,
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: json({ $ref: '#/components/schemas/SmsRequest' }),
        responses: {
          '202': accepted,
          '200': accepted,
          ...errors(400, 401, 403, 413, 415, 422, 503),
        },
      },
    },
    '/v1/messages': {
      post: {
        summary: 'Send a message',
        security,
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: json({ $ref: '#/components/schemas/MessageRequest' }),
        responses: {
          '202': accepted,
          '200': {
            ...accepted,
            description: 'replay of an earlier request with the same Idempotency-Key',
          },
          ...errors(400, 401, 403, 413, 415, 422, 503),
        },
      },
    },
    '/v1/messages/{id}': {
      get: {
        summary: 'A message status and its history',
        security,
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        ],
        responses: {
          '200': {
            description: 'the record',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Message' } } },
          },
          ...errors(401, 404),
        },
      },
    },
    '/dev/outbox': {
      get: {
        summary:
          'Messages the dev outbox provider received, newest first (only with PROVIDERS including outbox)',
        security,
        parameters: [
          { name: 'to', in: 'query', schema: { type: 'string' } },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
          },
        ],
        responses: {
          '200': {
            description: 'entries',
            content: {
              'application/json': {
                schema: { type: 'array', items: { $ref: '#/components/schemas/OutboxEntry' } },
              },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    '/v1/telegram/links/{phone}': {
      put: {
        summary:
          'Link a phone number to the Telegram chat its owner opened with your bot (the telegram provider then sends through the bot)',
        security,
        parameters: [{ name: 'phone', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({
          type: 'object',
          additionalProperties: false,
          required: ['chatId'],
          properties: { chatId: { type: ['string', 'integer'] } },
        }),
        responses: { '204': { description: 'linked' }, ...errors(400, 401, 403) },
      },
      delete: {
        summary: 'Forget the link (the Gateway is used again)',
        security,
        parameters: [{ name: 'phone', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'unlinked' }, ...errors(400, 401, 404) },
      },
    },
    '/webhooks/{provider}': {
      get: {
        summary: 'Delivery receipts sent by GET (Vonage can be set to)',
        parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'receipt taken' }, ...errors(401) },
      },
      post: {
        summary:
          'Signed delivery receipts from a provider (twilio, vonage, telegram; sendgrid: its Signed Event Webhook)',
        parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'receipt taken' }, ...errors(401) },
      },
    },
    '/healthz': {
      get: { summary: 'The process is up', responses: { '200': { description: 'up' } } },
    },
    '/readyz': {
      get: {
        summary: 'Redis is reachable and a worker is running',
        responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        responses: { '200': { description: 'text exposition format' } },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
    },
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'JWT from OIDC_ISSUER_URL with scope messages:send, or the static REFERENCE_API_KEY',
      },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    },
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 255 },
        description:
          'A retry with the same key returns the first message instead of sending twice (kept 24 h).',
      },
    },
    schemas: {
      SmsRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['mobile', 'totp'],
        properties: {
          mobile: { type: 'string', examples: ['+5511966191717'] },
          totp: {
            type: 'string',
            maxLength: 1600,
            description:
              'a bare code (4-10 digits, sent with the default template) or the whole text',
          },
          used: { type: 'boolean', description: 'sent by the QriarLabs extension; ignored' },
          locale: { type: 'string' },
          ttlSeconds: { type: 'integer', minimum: 30, maximum: 3600, default: 300 },
          account,
        },
      },
      MessageRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['to'],
        properties: {
          to: {
            type: 'string',
            maxLength: 254,
            description:
              'a phone number (E.164 after normalisation), or an email address on channel email',
            examples: ['+5511966191717', 'jane@example.com'],
          },
          code: { type: 'string', pattern: '^\\d{4,10}$' },
          text: { type: 'string', maxLength: 1600, description: "an email's plain-text part" },
          channel: {
            type: 'string',
            enum: ['sms', 'whatsapp', 'telegram', 'email'],
            default: 'sms',
          },
          locale: { type: 'string' },
          ttlSeconds: { type: 'integer', minimum: 30, maximum: 3600, default: 300 },
          clientRef: { type: 'string', maxLength: 64 },
          email: { $ref: '#/components/schemas/EmailPart' },
          account,
        },
        oneOf: [{ required: ['code'] }, { required: ['text'] }],
      },
      EmailPart: {
        type: 'object',
        additionalProperties: false,
        description:
          'Channel email only (anywhere else: 400 naming email). With a code and no text, the text and subject come from the template of the locale.',
        properties: {
          from: {
            type: 'string',
            maxLength: 320,
            description:
              'address or "Name <address>", one line; default EMAIL_FROM (400 naming email.from without either)',
            examples: ['Acme <no-reply@acme.example>'],
          },
          subject: {
            type: 'string',
            maxLength: 200,
            description: "one line; default the template's subject in the message's language",
          },
          html: { type: 'string', description: 'an HTML part, at most 100 KiB (UTF-8)' },
          dkim: {
            type: 'object',
            additionalProperties: false,
            required: ['domain', 'selector', 'privateKey'],
            description:
              'signs the message (smtp provider, RSA keys); sealed like the text, never logged or recorded',
            properties: {
              domain: { type: 'string', examples: ['acme.example'] },
              selector: { type: 'string', examples: ['s1'] },
              privateKey: {
                type: 'string',
                description: 'unencrypted PEM: RSA of at least 1024 bits, or Ed25519',
              },
            },
          },
        },
      },
      Accepted: {
        type: 'object',
        required: ['id', 'status'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          status: { type: 'string' },
          estimatedPrice: money(
            "what the price table (PRICE_TABLE_FILE) says the message costs; absent when the table does not price it. The provider's own figure, when it reports one, lands on the message record as price",
          ),
        },
      },
      Message: {
        type: 'object',
        required: ['id', 'status', 'channel', 'to', 'createdAt', 'expiresAt', 'history'],
        properties: {
          id: { type: 'string' },
          status: {
            type: 'string',
            enum: ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'expired'],
          },
          channel: { type: 'string' },
          to: {
            type: 'string',
            description: 'masked: +55********717, or j•••@example.com for an email',
          },
          clientRef: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          provider: { type: 'string' },
          providerMessageId: { type: 'string' },
          reason: { type: 'string' },
          errorCode: { type: 'string' },
          price: {
            ...money(
              "what the send cost, once sent: the provider's figure (source provider) or the price table's (source table); absent when neither prices it",
            ),
            properties: {
              ...money('').properties,
              source: { type: 'string', enum: ['provider', 'table'] },
            },
          },
          history: { type: 'array', items: { type: 'object' } },
        },
      },
      OutboxEntry: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          messageId: { type: 'string' },
          to: { type: 'string' },
          channel: { type: 'string' },
          text: { type: 'string' },
          from: { type: 'string', description: 'emails only' },
          subject: { type: 'string', description: 'emails only' },
          html: { type: 'string', description: 'emails only' },
          dkimDomain: {
            type: 'string',
            description: 'emails only: the signing domain, never the key',
          },
          sentAt: { type: 'string' },
        },
      },
      Error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          requestId: { type: 'string' },
          details: {
            type: 'array',
            items: {
              type: 'object',
              properties: { field: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;
