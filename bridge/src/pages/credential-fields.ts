import { html, type SafeHtml } from './html.js';

/** One field of a sign-in form: its id and form name, its translated label. */
export interface CredentialField {
  readonly id: string;
  readonly name: string;
  readonly label: string;
}

/**
 * The two fields every sign-in form here has (who, then a secret), marked invalid together and
 * described by the form's error when it has one: the demo's username and password, the admin
 * page's client id and secret.
 */
export function credentialFields(
  user: CredentialField & { readonly value: string },
  secret: CredentialField,
  errorId: string | undefined,
): SafeHtml {
  const invalid = errorId ? html` aria-invalid="true" aria-describedby="${errorId}"` : '';
  return html`<div class="form-group">
      <label for="${user.id}" class="label">${user.label}</label>
      <input
        id="${user.id}"
        name="${user.name}"
        type="text"
        autocomplete="username"
        autocapitalize="off"
        spellcheck="false"
        required
        autofocus
        value="${user.value}"
        ${invalid}
      />
    </div>
    <div class="form-group">
      <label for="${secret.id}" class="label">${secret.label}</label>
      <input
        id="${secret.id}"
        name="${secret.name}"
        type="password"
        autocomplete="current-password"
        required${invalid}
      />
    </div>`;
}
