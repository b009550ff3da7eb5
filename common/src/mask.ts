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

const SECRET_KEYS =
  /^(otp|code|totp|text|body|secret|password|token|authorization|apikey|api_key|client_secret|access_token|key)$/i;
const PHONE_KEYS = /^(to|mobile|phone|phonenumber|msisdn|from)$/i;

/** Deep-copies a log payload, replacing codes, texts and secrets and masking phone numbers. */
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
      out[key] = maskPhone(v);
    } else {
      out[key] = redact(v, depth + 1);
    }
  }
  return out;
}
