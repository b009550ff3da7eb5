import { maskPhone } from '@sms-mfa/common/mask';
import { html, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n.js';
import { credentialFields } from '../credential-fields.js';
import { CSRF_FIELD_NAME } from '../security.js';
import type { OutboxMessage } from './ciam-client.js';
import type { DemoUser } from './demo-users.js';

/** The landing page: what the demo is, and "Sign in". */
export function landingBody(t: Translate, signedIn: boolean): SafeHtml {
  return html`<p class="instruction">${t('demoIntro')}</p>
    <p class="actions">
      <a id="sign-in" class="btn btn-primary" href="${signedIn ? '/demo/me' : '/demo/login'}"
        >${signedIn ? t('demoPersonalInfo') : t('demoSignIn')}</a
      >
    </p>`;
}

/** What the sign-in form shows. */
export interface LoginView {
  readonly csrf: string;
  readonly username: string;
  readonly error: string | undefined;
  /** The default credentials, while they still work. */
  readonly hint: { username: string; password: string } | undefined;
}

/** Username and password, like Keycloak's login page. */
export function loginBody(t: Translate, v: LoginView): SafeHtml {
  return html`<form class="form" method="post" action="/demo/login" novalidate>
    <input type="hidden" name="${CSRF_FIELD_NAME}" value="${v.csrf}" />
    <div id="login-errors" aria-live="polite">
      ${v.error ? html`<div id="login-error" class="alert alert-danger" role="alert"><p>${v.error}</p></div>` : ''}
    </div>
    ${v.hint ? html`<div id="demo-hint" class="alert alert-info"><p>${t('demoHint', v.hint.username, v.hint.password)}</p></div>` : ''}
    ${credentialFields(
      { id: 'username', name: 'username', label: t('demoUsername'), value: v.username },
      { id: 'password', name: 'password', label: t('demoPassword') },
      v.error ? 'login-error' : undefined,
    )}
    <div class="actions">
      <button id="login" type="submit" class="btn btn-primary">${t('demoSignIn')}</button>
    </div>
  </form>`;
}

/** The signed-in user's details, how they signed in, what else is set up, and "Sign out". */
export function personalInfoBody(
  t: Translate,
  user: DemoUser,
  csrf: string,
  more: { readonly intro: string; readonly totp: SafeHtml },
): SafeHtml {
  return html`<p class="instruction">${t(more.intro)}</p>
    <dl id="personal-info" class="details">
      <dt>${t('demoUsername')}</dt>
      <dd>${user.username}</dd>
      <dt>${t('demoName')}</dt>
      <dd>${user.name}</dd>
      <dt>${t('demoEmail')}</dt>
      <dd>${user.email}</dd>
      <dt>${t('demoMobile')}</dt>
      <dd>${user.mobile_number}</dd>
    </dl>
    ${more.totp}
    <form method="post" action="/demo/logout" class="actions">
      <input type="hidden" name="${CSRF_FIELD_NAME}" value="${csrf}" />
      <button id="sign-out" type="submit" class="btn btn-secondary">${t('demoSignOut')}</button>
    </form>`;
}

/** The dev outbox panel beside the code form: what the outbox provider "sent" to the user's phone. */
export function outboxPanel(
  t: Translate,
  phone: string,
  messages: readonly OutboxMessage[],
  refreshUrl: string,
): SafeHtml {
  return html`<aside id="dev-outbox" class="card outbox" aria-labelledby="dev-outbox-title">
    <h2 id="dev-outbox-title">${t('demoOutboxTitle', maskPhone(phone))}</h2>
    ${
      messages.length
        ? html`<ol class="messages">
            ${messages.map((m) => html`<li><time datetime="${m.sentAt}">${m.sentAt.slice(11, 19)}</time> <span class="message-text">${m.text}</span></li>`)}
          </ol>`
        : html`<p class="helper">${t('demoOutboxEmpty')}</p>`
    }
    <p><a id="dev-outbox-refresh" href="${refreshUrl}">${t('demoOutboxRefresh')}</a></p>
  </aside>`;
}
