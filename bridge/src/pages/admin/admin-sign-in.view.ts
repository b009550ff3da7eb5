import { html, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n.js';
import { credentialFields } from '../credential-fields.js';
import { CSRF_FIELD_NAME } from '../security.js';

/** What the sign-in form shows. */
export interface AdminSignInView {
  readonly csrf: string;
  readonly clientId: string;
  /** A translated refusal, shown above the fields. */
  readonly error: string | undefined;
}

/** Client id and client secret of an `mfa:admin` application. */
export function adminSignInBody(t: Translate, v: AdminSignInView): SafeHtml {
  return html`<form class="form" method="post" action="/admin/login" novalidate>
    <input type="hidden" name="${CSRF_FIELD_NAME}" value="${v.csrf}" />
    <p class="instruction">${t('adminSignInIntro')}</p>
    <div aria-live="polite">
      ${v.error ? html`<div id="admin-error" class="alert alert-danger" role="alert"><p>${v.error}</p></div>` : ''}
    </div>
    ${credentialFields(
      { id: 'client-id', name: 'client_id', label: t('adminClientId'), value: v.clientId },
      { id: 'client-secret', name: 'client_secret', label: t('adminClientSecret') },
      v.error ? 'admin-error' : undefined,
    )}
    <p class="actions">
      <button id="admin-login" class="btn btn-primary" type="submit">${t('adminSignIn')}</button>
    </p>
  </form>`;
}

/** Who is signed in, and the sign-out button. */
export function signedInBar(t: Translate, clientId: string, csrf: string): SafeHtml {
  return html`<form class="signed-in" method="post" action="/admin/logout">
    <input type="hidden" name="${CSRF_FIELD_NAME}" value="${csrf}" />
    <p id="signed-in-as">${t('adminSignedInAs', clientId)}</p>
    <button id="admin-logout" class="btn btn-secondary" type="submit">${t('adminSignOut')}</button>
  </form>`;
}
