/** Masks a phone number for logs: `+918212345212` → `+91******212`. */
export function maskPhone(phone: string): string {
  if (phone.includes('*')) {
    return phone;
  } // already masked: masking twice must not hide the country
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 6) {
    return '*'.repeat(digits.length);
  }
  const head = digits.startsWith('+') ? digits.slice(0, 3) : digits.slice(0, 2);
  const tail = digits.slice(-3);
  return head + '*'.repeat(digits.length - head.length - tail.length) + tail;
}

/** Masks an email address (or a `Name <address>` mailbox) for logs and records: `jane@example.com` → `j•••@example.com`. */
export function maskEmail(value: string): string {
  const address = /<([^<>]*)>\s*$/.exec(value)?.[1] ?? value;
  if (address.includes('•')) {
    return address;
  } // already masked
  const at = address.lastIndexOf('@');
  if (at < 0) {
    return '•••';
  }
  const local = address.slice(0, at);
  // A one-letter local part would be shown whole: hide it too.
  return `${local.length > 1 ? local[0] : ''}•••${address.slice(at)}`;
}

/** Masks a destination of either kind: an email address by {@link maskEmail}, anything else by {@link maskPhone}. */
export function maskRecipient(value: string): string {
  return value.includes('@') ? maskEmail(value) : maskPhone(value);
}

const SECRET_KEYS =
  /^(otp|code|totp|text|body|html|secret|password|token|authorization|apikey|api_key|client_secret|access_token|key|privatekey|private_key)$/i;
const PHONE_KEYS = /^(to|mobile|phone|phonenumber|msisdn|from|email)$/i;

/** Deep-copies a log payload, replacing codes, texts and secrets and masking phone numbers and email addresses. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, depth + 1));
  }
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEYS.test(key)) {
      out[key] = '[redacted]';
    } else if (PHONE_KEYS.test(key) && typeof v === 'string') {
      out[key] = maskRecipient(v);
    } else {
      out[key] = redact(v, depth + 1);
    }
  }
  return out;
}
