import { maskPhone } from '@sms-mfa/common/mask';
import { html, trusted, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n.js';
import { CSRF_FIELD_NAME } from '../security.js';

/** What Personal info says of the user's authenticator app. */
export interface TotpSectionView {
  readonly csrf: string;
  readonly active: boolean;
  /** Set after an activation (`activated`) or a setup that ran out (`expired`). */
  readonly notice: 'activated' | 'expired' | undefined;
}

/** The "Authenticator app" part of Personal info: set up, or "Set up an authenticator app". */
export function totpSection(t: Translate, v: TotpSectionView): SafeHtml {
  const notice =
    v.notice === 'activated'
      ? html`<div id="totp-notice" class="alert alert-success" role="status">
          <p>${t('demoTotpActivated')}</p>
        </div>`
      : v.notice === 'expired'
        ? html`<div id="totp-notice" class="alert alert-danger" role="alert">
            <p>${t('demoTotpExpired')}</p>
          </div>`
        : '';
  return html`<section class="section" aria-labelledby="totp-heading">
    <h2 id="totp-heading">${t('demoTotpHeading')}</h2>
    ${notice}
    ${
      v.active
        ? html`<p id="totp-status" class="instruction">${t('demoTotpActive')}</p>`
        : html`<p id="totp-status" class="instruction">${t('demoTotpNone')}</p>
            <form method="post" action="/demo/totp/setup" class="actions">
              <input type="hidden" name="${CSRF_FIELD_NAME}" value="${v.csrf}" />
              <button id="totp-setup" type="submit" class="btn btn-secondary">
                ${t('demoTotpSetUp')}
              </button>
            </form>`
    }
  </section>`;
}

/** What the setup page shows: the QR code and key once, then the field for the first code. */
export interface TotpSetupView {
  readonly csrf: string;
  readonly digits: number;
  /** The QR code as SVG markup (made here by the qrcode library, never taken from input). */
  readonly qrSvg?: string | undefined;
  readonly secret?: string | undefined;
  readonly account: string;
  readonly error?: string | undefined;
}

/** The setup page: scan the QR code (inline SVG, so the strict CSP shows it), then type the first code. */
export function totpSetupBody(t: Translate, v: TotpSetupView): SafeHtml {
  const invalid = v.error ? html` aria-invalid="true"` : '';
  return html`${
      v.qrSvg
        ? html`<p class="instruction">${t('demoTotpScan')}</p>
            <div
              id="totp-qr"
              class="qr-code"
              role="img"
              aria-label="${t('demoTotpQrLabel', v.account)}"
            >
              ${trusted(v.qrSvg)}
            </div>
            <p class="helper">${t('demoTotpKey')}</p>
            <p id="totp-secret" class="secret-key">${v.secret ?? ''}</p>`
        : ''
    }
    <form class="form" method="post" action="/demo/totp/activate" novalidate>
      <input type="hidden" name="${CSRF_FIELD_NAME}" value="${v.csrf}" />
      <div class="form-group">
        <label for="totp-code" class="label">${t('demoTotpCodeLabel')}</label>
        <input
          id="totp-code"
          name="code"
          type="text"
          class="code-input"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength="${v.digits * 2 + 4}"
          required
          aria-describedby="totp-code-hint${v.error ? ' totp-code-error' : ''}"
          ${invalid}
        />
        <p id="totp-code-hint" class="helper">${t('demoTotpCodeHint', v.digits)}</p>
        <div aria-live="polite">
          ${v.error ? html`<p id="totp-code-error" class="error" role="alert">${v.error}</p>` : ''}
        </div>
      </div>
      <div class="actions">
        <button id="totp-activate" type="submit" class="btn btn-primary">
          ${t('demoTotpActivate')}
        </button>
        <a id="totp-cancel" class="btn btn-secondary" href="/demo/me">${t('demoTotpCancel')}</a>
      </div>
    </form>`;
}

/** After the password, for a user with an authenticator app: SMS or the app. */
export function chooseBody(t: Translate, csrf: string, phone: string): SafeHtml {
  return html`<form class="form" method="post" action="/demo/choose" novalidate>
    <input type="hidden" name="${CSRF_FIELD_NAME}" value="${csrf}" />
    <fieldset class="choices">
      <legend>${t('demoChooseLegend')}</legend>
      <div class="choice">
        <input id="method-totp" type="radio" name="method" value="totp" checked />
        <label for="method-totp">${t('demoChooseTotp')}</label>
      </div>
      <div class="choice">
        <input id="method-sms" type="radio" name="method" value="sms" />
        <label for="method-sms">${t('demoChooseSms', maskPhone(phone))}</label>
      </div>
    </fieldset>
    <div class="actions">
      <button id="choose" type="submit" class="btn btn-primary">${t('demoChooseContinue')}</button>
    </div>
  </form>`;
}
