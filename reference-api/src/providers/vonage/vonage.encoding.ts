// GSM 03.38: the basic set, then the extension table (sent as escape + char). Anything else needs UCS-2.
const GSM7 = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?',
  ...'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ...'\f^{}\\[~]|€',
]);

/** Whether `text` fits the GSM 7-bit alphabet; otherwise Vonage must be told `type=unicode` or it mangles it. */
export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7.has(char)) {
      return false;
    }
  }
  return true;
}

/** The SMS API `type` for `text`. */
export function smsType(text: string): 'text' | 'unicode' {
  return isGsm7(text) ? 'text' : 'unicode';
}
