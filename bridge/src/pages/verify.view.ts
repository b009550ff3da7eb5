import { CSRF_FIELD_NAME } from './security.js';
import { html, type SafeHtml } from './html.js';
import type { Translate } from './i18n.js';

/** A message shown on the code form after a post (redirect-after-post carries its kind in `?m=`). */
export const NOTICES = [
  'invalid',
  'format',
  'required',
  'resent',
  'too_soon',
  'rate_limited',
  'unavailable',
  'csrf',
  'replayed',
] as const;
/** One of {@link NOTICES}. */
export type Notice = (typeof NOTICES)[number];

/** What the code form shows for a pending authentication. */
export interface CodeFormView {
  readonly authId: string;
  readonly phoneMasked: string;
  /** The masked address an EMAIL code went to; the instruction then names it instead of a phone. */
  readonly email?: string | undefined;
  /** A sign-in with an authenticator app: its own instruction, and nothing to resend. */
  readonly totp?: boolean | undefined;
  readonly codeLength: number;
  readonly attemptsRemaining: number;
  /** Seconds until a resend may be asked for; null when no more sends are left. */
  readonly resendInSeconds: number | null;
  readonly notice: Notice | undefined;
  /** Seconds in a rate-limit notice. */
  readonly waitSeconds: number;
  /** An allowed return URL, carried through the posts. */
  readonly returnTo: string | undefined;
  readonly csrf: string;
}

/** The code entry form: one labelled field, verify, and resend with its countdown. */
export function codeForm(t: Translate, v: CodeFormView): SafeHtml {
  const base = `/verify/${encodeURIComponent(v.authId)}`;
  const error = errorText(t, v);
  const describedBy = ['code-instruction', 'code-hint', error ? 'code-error' : '']
    .filter(Boolean)
    .join(' ');
  return html`<form class="form" method="post" action="${base}" novalidate>
    <input type="hidden" name="${CSRF_FIELD_NAME}" value="${v.csrf}" />
    ${v.returnTo ? html`<input type="hidden" name="return_to" value="${v.returnTo}" />` : ''}
    <p id="code-instruction" class="instruction">${instruction(t, v)}</p>
    ${v.notice === 'resent' ? html`<div class="alert alert-success" role="status">${t('smsAuthResent')}</div>` : ''}
    <div class="form-group">
      <label for="code" class="label">${t('smsAuthLabel')}</label>
      <input
        id="code"
        name="code"
        type="text"
        class="code-input${error ? ' invalid' : ''}"
        inputmode="numeric"
        autocomplete="one-time-code"
        spellcheck="false"
        autocapitalize="off"
        maxlength="${v.codeLength * 2 + 4}"
        required
        autofocus
        aria-describedby="${describedBy}"
        ${error ? html` aria-invalid="true"` : ''}
      />
      <p id="code-hint" class="helper">${t('pageCodeHint', v.codeLength)}</p>
      <div id="code-errors" class="helper-errors" aria-live="polite">
        ${error ? html`<p id="code-error" class="error" role="alert">${error}</p>` : ''}
      </div>
    </div>
    <div class="actions">
      <button id="verify" type="submit" class="btn btn-primary">${t('smsAuthSubmit')}</button>
      ${resendControl(t, v, base)}
    </div>
  </form>`;
}

function instruction(t: Translate, v: CodeFormView): string {
  if (v.totp) {
    return t('pageTotpInstruction');
  }
  return v.email ? t('pageEmailInstruction', v.email) : t('smsAuthInstructionPhone', v.phoneMasked);
}

function errorText(t: Translate, v: CodeFormView): string | undefined {
  const attempts =
    v.attemptsRemaining === 1
      ? t('smsAuthAttemptsLeftOne')
      : t('smsAuthAttemptsLeft', v.attemptsRemaining);
  switch (v.notice) {
    case 'invalid':
      return `${t(v.totp ? 'pageTotpCodeInvalid' : 'smsAuthCodeInvalid')} ${attempts}`;
    case 'format':
      return t('smsAuthCodeFormat');
    case 'required':
      return t('smsAuthCodeRequired');
    case 'too_soon':
      return t('smsAuthResendTooSoon', v.waitSeconds);
    case 'rate_limited':
      return t('smsAuthRateLimited', v.waitSeconds);
    case 'unavailable':
      return t('smsAuthUnavailable');
    case 'csrf':
      return t('pageFormExpired');
    case 'replayed':
      return `${t('pageTotpReplayed')} ${attempts}`;
    default:
      return undefined;
  }
}

function resendControl(t: Translate, v: CodeFormView, base: string): SafeHtml | '' {
  if (v.totp) {
    return '';
  }
  if (v.resendInSeconds === null) {
    return html`<p id="resend-exhausted" class="helper center">${t('smsAuthResendExhausted')}</p>`;
  }
  const wait = v.resendInSeconds;
  if (wait <= 0) {
    return html`<button
      id="resend"
      type="submit"
      class="btn btn-secondary"
      formaction="${base}/resend"
      formnovalidate
    >
      ${t('smsAuthResend')}
    </button>`;
  }
  return html`<button
      id="resend"
      type="submit"
      class="btn btn-secondary countdown"
      formaction="${base}/resend"
      formnovalidate
      disabled
      data-cooldown-seconds="${wait}"
      data-label-wait="${t('smsAuthResendIn', '{0}')}"
      data-label-ready="${t('smsAuthResend')}"
      data-label-done="${t('smsAuthResendReady')}"
    >
      ${t('smsAuthResendIn', wait)}
    </button>
    <noscript><p class="helper center">${t('smsAuthResendNoScript', wait)}</p></noscript>
    <p id="resend-status" class="sr-only" aria-live="polite"></p>`;
}

/** How a finished authentication is shown: verified, expired, locked, or an unknown link. */
export type Outcome = 'approved' | 'expired' | 'locked' | 'unknown';

/** The body of a page for a finished (or unknown) authentication, with a link back when one is allowed. */
export function outcomeBody(t: Translate, outcome: Outcome, link: string | undefined): SafeHtml {
  const [text, action] = OUTCOMES[outcome];
  const kind = outcome === 'approved' ? 'success' : 'danger';
  const role = outcome === 'approved' ? 'status' : 'alert';
  return html`<div class="alert alert-${kind}" role="${role}"><p>${t(text)}</p></div>
    ${link ? html`<p class="actions"><a id="continue" class="btn btn-primary" href="${link}">${t(action)}</a></p>` : outcome === 'expired' ? html`<p class="helper">${t('pageStartAgain')}</p>` : ''}`;
}

/** The title of a finished (or unknown) authentication's page. */
export function outcomeTitle(t: Translate, outcome: Outcome): string {
  return t(
    {
      approved: 'pageVerifiedTitle',
      expired: 'pageExpiredTitle',
      locked: 'pageLockedTitle',
      unknown: 'pageUnknownTitle',
    }[outcome],
  );
}

const OUTCOMES: Record<Outcome, [text: string, action: string]> = {
  approved: ['pageVerifiedText', 'pageContinue'],
  expired: ['smsAuthCodeExpired', 'pageNewCode'],
  locked: ['smsAuthLocked', 'pageBackToApp'],
  unknown: ['pageUnknownText', 'pageBackToApp'],
};
