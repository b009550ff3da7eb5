/** OpenAPI pieces of email codes and test devices (openapi.ts, openapi-schemas.ts). */

const emailTemplate = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'text'],
  properties: {
    name: { type: 'string', default: 'default', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    locale: { type: 'string', default: 'en', description: 'BCP 47' },
    subject: {
      type: 'string',
      maxLength: 150,
      description: 'one line; may contain {code}, {minutes}, {brand}',
    },
    text: { type: 'string', maxLength: 1500, description: 'plain text; must contain {code}' },
    html: {
      type: 'string',
      maxLength: 20000,
      description: 'must contain {code}; the values are HTML-escaped; other braces (CSS) are kept',
    },
  },
};

const dnsRecord = {
  type: 'object',
  properties: {
    purpose: { enum: ['DKIM', 'SPF', 'DMARC'] },
    name: { type: 'string', examples: ['s1._domainkey.example.com'] },
    type: { const: 'TXT' },
    value: { type: 'string', examples: ['v=DKIM1; k=rsa; p=MIIBIjANBgkqh…'] },
    note: { type: 'string' },
  },
};

const emailFrom = {
  type: ['string', 'null'],
  maxLength: 320,
  examples: ['Acme <no-reply@acme.example>'],
  description: 'sender of EMAIL codes, at the domain of the DKIM key; null clears it',
};

/** Application settings an administrator sets for email and test devices. */
export const emailSettingsInput = {
  emailFrom,
  emailTemplates: {
    type: 'array',
    maxItems: 50,
    items: emailTemplate,
    description: 'per name and locale; built-in ones (en, pt-BR, de, es, fr) when none fits',
  },
  allowTestDevices: { type: 'boolean', default: false },
  testDevices: {
    type: 'array',
    maxItems: 10,
    description:
      'numbers or addresses with a fixed code: nothing is sent, the code validates; needs allowTestDevices',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['code'],
      properties: {
        phoneNumber: { type: 'string' },
        email: { type: 'string' },
        device: { type: 'string', description: 'a number or an address' },
        code: { type: 'string', pattern: '^\\d{4,10}$', description: 'codeLength digits' },
      },
    },
  },
};

/** The same settings as the admin API shows them: the DKIM key's public part, test devices without codes. */
export const emailSettingsView = {
  emailFrom,
  emailTemplates: emailSettingsInput.emailTemplates,
  allowTestDevices: { type: 'boolean' },
  testDevices: {
    type: 'array',
    items: { type: 'object', properties: { device: { type: 'string' } } },
  },
  emailDkim: {
    type: 'object',
    properties: {
      domain: { type: 'string' },
      selector: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      dnsRecord,
    },
  },
};

/** `POST /admin/v1/applications/{clientId}/email-domain`. */
export const emailDomainOperation = (
  clientId: object,
  admin: object,
  failures: Record<string, object>,
) => ({
  post: {
    summary:
      "A new DKIM key (RSA 2048, stored sealed) for the application's email domain, and the DKIM, SPF and DMARC records to publish",
    security: admin,
    parameters: [clientId],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            additionalProperties: false,
            required: ['domain'],
            properties: {
              domain: { type: 'string', examples: ['acme.example'] },
              selector: { type: 'string', default: 's1' },
              emailFrom: { ...emailFrom, type: 'string' },
            },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'the key and the records',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                clientId: { type: 'string' },
                emailDkim: emailSettingsView.emailDkim,
                dnsRecords: { type: 'array', items: dnsRecord },
              },
            },
          },
        },
      },
      ...failures,
    },
  },
});
