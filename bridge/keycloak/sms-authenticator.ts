/*
 * sms-mfa: a Keycloak script authenticator that asks the sms-mfa bridge for an SMS code.
 *
 * Compiled to ECMAScript 5.1 (Keycloak runs deployed scripts on Nashorn) by build-jar.ts and
 * shipped as `sms-authenticator.js` in sms-mfa-authenticator.jar (provider id
 * `script-sms-authenticator.js`). Needs Keycloak started with `--features=scripts`.
 *
 * INPUTS
 *   Bindings:   context (AuthenticationFlowContext), LOG, Java. The user, realm, session and
 *               authentication session are read through `context`, because the binding names
 *               changed across Keycloak versions (`clientSession` became `authenticationSession`).
 *   Settings:   realm attribute, else environment variable, else default (deployed scripts have no
 *               admin-editable config):
 *                 smsMfaBridgeUrl       SMS_MFA_BRIDGE_URL       http://localhost:3000
 *                 smsMfaClientId        SMS_MFA_CLIENT_ID        (required)
 *                 smsMfaClientSecret    SMS_MFA_CLIENT_SECRET    (required)
 *                 smsMfaTokenRealm      SMS_MFA_TOKEN_REALM      mfa
 *                 smsMfaTokenUrl        SMS_MFA_TOKEN_URL        {bridgeUrl}/realms/{tokenRealm}/protocol/openid-connect/token
 *                 smsMfaPhoneAttribute  SMS_MFA_PHONE_ATTRIBUTE  mobile_number
 *                 smsMfaMissingPhone    SMS_MFA_MISSING_PHONE    fail (or skip)
 *               smsMfaClientId and smsMfaClientSecret may instead name an entry of Keycloak's
 *               vault, `${vault.<key>}` (from either source), read with session.vault() and closed at
 *               once; prefer it (or the environment) to a secret in a realm attribute, which every
 *               admin who can view the realm can read. Keycloak's file vault: start Keycloak with
 *               --vault=file --vault-dir=<dir> and write the secret to the file <dir>/<realm>_<key>,
 *               each underscore in realm or key written twice (realm my_realm, key bridge_secret:
 *               my__realm_bridge__secret); surrounding whitespace is ignored.
 *   Form:       `code`, or `resend` (the resend button of login-sms.ftl).
 *   State:      auth-session note `smsMfaAuthId` (the bridge's authId; never the code).
 *               The bridge token, in session.singleUseObjects() (one store for the whole cluster)
 *               under `sms-mfa.bridge-token.` + SHA-256 of realm id, token URL and client id, for
 *               expires_in less 30 s; not kept when expires_in is missing or 30 s or less. Keycloak
 *               evaluates the script afresh for every call, so nothing in the script outlives a step.
 *
 * ENDPOINTS (bridge calls carry a client-credentials token, fetched with HTTP Basic when the store
 *            has none; a 401 to a stored token drops it, fetches a new one and repeats the call once)
 *   POST {tokenUrl}                                              grant_type=client_credentials
 *   POST {bridgeUrl}/ciam-mfa/v2/deviceAuthentications           send a code
 *   GET  {bridgeUrl}/ciam-mfa/v2/deviceAuthentications/{authId}  state: masked phone, attempts, resends
 *   POST {bridgeUrl}/ciam-mfa/v2/deviceAuthentications/{authId}  check a code
 *   POST {bridgeUrl}/ciam-mfa/v2/deviceAuthentications/{authId}/resend
 *
 * OUTCOMES
 *   code page (challenge)        first visit; a refresh while the code is pending sends no SMS
 *   success                      the bridge validated the code
 *   code page + smsAuthCodeInvalid, attempts left (failureChallenge INVALID_CREDENTIALS)
 *   code page + smsAuthCodeExpired, resend offered; an expired, unknown or used authId on resend
 *                                or refresh starts over with a new code
 *   code page + cooldown         resend inside the cooldown (429 Retry-After) sends nothing
 *   error page smsAuthLocked     too many wrong codes: failure INVALID_CREDENTIALS, event
 *                                invalid_user_credentials (Keycloak's brute-force detector counts it)
 *   attempted / smsAuthNoPhone   no phone number, per smsMfaMissingPhone
 *   error page smsAuthUnavailable or smsAuthSmsNotSent
 *                                bridge or token endpoint unreachable, 5xx, token refused, vault
 *                                entry missing, number refused; shown with challenge, not
 *                                failureChallenge, so that an outage never counts as a failed login
 *                                against the user. No exception leaves the script.
 *
 * Never logs codes, secrets, tokens or whole phone numbers.
 */

/* ---- The slice of Keycloak's Java API this script uses (types only; erased at compile time). ---- */

interface JavaLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
interface RealmModel {
  getId(): string;
  getName(): string;
  getAttribute(name: string): string | null;
  getDefaultLocale?(): string | null;
  isBruteForceProtected(): boolean;
}
interface UserModel {
  getUsername(): string;
  getFirstAttribute(name: string): string | null;
}
interface JavaLocale {
  toLanguageTag(): string;
}
interface KeycloakSession {
  getContext(): { resolveLocale(user: UserModel | null): JavaLocale | null };
  vault(): VaultTranscriber;
  singleUseObjects(): SingleUseObjectProvider;
  getProvider(type: unknown): unknown;
}
/** Keycloak 26.4+'s brute-force detector (older ones take no categories). */
interface BruteForceProtector {
  failedLogin(
    realm: RealmModel,
    user: UserModel,
    connection: unknown,
    uriInfo: unknown,
    categories: unknown,
  ): void;
}
interface JavaOptional<T> {
  isPresent(): boolean;
  get(): T;
}
/** org.keycloak.vault.VaultTranscriber: resolves `${vault.<key>}`; any other value comes back as it is. */
interface VaultTranscriber {
  getStringSecret(value: string): VaultStringSecret;
}
/** AutoCloseable; get() fails once closed. */
interface VaultStringSecret {
  get(): JavaOptional<string>;
  close(): void;
}
interface JavaMap {
  get(key: string): unknown;
  put(key: string, value: string): unknown;
}
/** org.keycloak.models.SingleUseObjectProvider: a cluster-wide store whose entries expire. */
interface SingleUseObjectProvider {
  put(key: string, lifespanSeconds: number, notes: JavaMap): void;
  get(key: string): JavaMap | null;
  remove(key: string): JavaMap | null;
}
/** A Java byte[] as Nashorn shows it: signed values. */
interface JavaBytes {
  length: number;
  [index: number]: number;
}
interface JavaMessageDigest {
  update(input: unknown): void;
  digest(): JavaBytes;
}
interface AuthenticationSessionModel {
  getAuthNote(name: string): string | null;
  setAuthNote(name: string, value: string): void;
  removeAuthNote(name: string): void;
}
interface FormParameters {
  getFirst(name: string): string | null;
  containsKey(name: string): boolean;
}
/** A rendered page (a JAX-RS Response in Keycloak). */
type Page = object;
interface LoginFormsProvider {
  setAttribute(name: string, value: unknown): LoginFormsProvider;
  /** Nashorn links these to the non-varargs bridge methods: the parameters must be an Object[]. */
  setError(message: string, parameters: JavaArray): LoginFormsProvider;
  setInfo(message: string, parameters: JavaArray): LoginFormsProvider;
  addError(message: object): LoginFormsProvider;
  createForm(template: string): Page;
  createErrorPage(status: object): Page;
}
interface EventBuilder {
  user(user: UserModel | null): EventBuilder;
  detail(key: string, value: string): EventBuilder;
  error(error: string): void;
}
interface AuthenticationFlowContext {
  getRealm(): RealmModel;
  getUser(): UserModel | null;
  getSession(): KeycloakSession;
  getAuthenticationSession(): AuthenticationSessionModel;
  getHttpRequest(): { getDecodedFormParameters(): FormParameters };
  getConnection(): { getRemoteAddr(): string } | null;
  getUriInfo(): unknown;
  getEvent(): EventBuilder;
  form(): LoginFormsProvider;
  challenge(page: Page): void;
  failureChallenge(error: unknown, page: Page): void;
  failure(error: unknown, page?: Page): void;
  success(): void;
  attempted(): void;
  getExecution?(): { getRequirement(): unknown } | null;
}
/** SimpleHttp's request (both the 26.4+ and the older class offer these methods). */
interface HttpRequest {
  header(name: string, value: string): HttpRequest;
  param(name: string, value: string): HttpRequest;
  entity(entity: unknown): HttpRequest;
  auth(token: string): HttpRequest;
  authBasic(user: string, password: string): HttpRequest;
  connectTimeoutMillis?(ms: number): HttpRequest;
  socketTimeOutMillis?(ms: number): HttpRequest;
  asResponse(): HttpResponse;
}
interface HttpResponse {
  getStatus(): number;
  asString(): string | null;
  getFirstHeader(name: string): string | null;
}
interface ModernSimpleHttp {
  create(session: KeycloakSession): ModernClient;
}
interface ModernClient {
  withRequestConfig(config: unknown): ModernClient;
  doGet(url: string): HttpRequest;
  doPost(url: string): HttpRequest;
}
interface LegacySimpleHttp {
  doGet(url: string, session: KeycloakSession): HttpRequest;
  doPost(url: string, session: KeycloakSession): HttpRequest;
}
interface RequestConfigBuilder {
  setConnectTimeout(ms: number): RequestConfigBuilder;
  setSocketTimeout(ms: number): RequestConfigBuilder;
  setConnectionRequestTimeout(ms: number): RequestConfigBuilder;
  build(): unknown;
}

declare const LOG: JavaLogger;
/** A Java array made by Java.to. */
type JavaArray = { readonly javaArray: true };

declare const Java: {
  type<T>(className: string): T;
  to(values: unknown[], javaType: 'java.lang.Object[]'): JavaArray;
};

/* ---- The script's own types ---- */

interface Settings {
  bridgeUrl: string;
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  phoneAttribute: string;
  missingPhone: string;
}
/** An HTTP answer; status 0 when there was none (unreachable, timeout, refused token). */
interface Reply {
  status: number;
  body: { [key: string]: unknown };
  retryAfterSeconds: number;
  /** Why there was no answer (status 0): the Java exception, or a missing token. */
  failure?: string;
}
interface Bridge {
  call(method: string, path: string, body?: object): Reply;
}
/** A bridge token for this step; `stored` when it came from Keycloak's store rather than the token endpoint. */
interface BridgeToken {
  value: string;
  stored: boolean;
}
/** The bridge token's entry in Keycloak's single-use object store. */
interface TokenStore {
  read(): string;
  keep(token: string, expiresInSeconds: number): void;
  drop(): void;
}
/** How to draw the code page beyond what the bridge's status view says. */
interface PageOptions {
  fieldError?: string;
  fieldErrorParam?: string;
  info?: string;
  attemptsRemaining?: number;
  cooldownSeconds?: number;
  offerResend?: boolean;
  countAsFailure?: boolean;
}

const DEVICE_AUTHS = '/ciam-mfa/v2/deviceAuthentications';
const AUTH_ID_NOTE = 'smsMfaAuthId';
const CODE_PAGE = 'login-sms.ftl';
const HTTP_TIMEOUT_MS = 10000;
const LOCALE_SHAPE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/;
const IP_SHAPE = /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;
/** DefaultVaultTranscriber's pattern for a vault reference. */
const VAULT_REFERENCE = /^\$\{vault\.(.+?)\}$/;
const TOKEN_KEY_PREFIX = 'sms-mfa.bridge-token.';
/** A stored token is dropped this long before it expires, so that no call carries a dying one. */
const TOKEN_MARGIN_SECONDS = 30;

/** Keycloak calls this when the flow reaches the step, and again when the page is reloaded. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- ScriptBasedAuthenticator invokes it by name
function authenticate(context: AuthenticationFlowContext): void {
  guarded(context, start);
}

/** Keycloak calls this when login-sms.ftl is posted. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- ScriptBasedAuthenticator invokes it by name
function action(context: AuthenticationFlowContext): void {
  guarded(context, act);
}

/** Runs one step; anything unexpected becomes an error page, never a stack trace. */
function guarded(
  context: AuthenticationFlowContext,
  step: (context: AuthenticationFlowContext, settings: Settings) => void,
): void {
  try {
    step(context, readSettings(context.getRealm()));
  } catch (e) {
    LOG.error('sms-mfa: unexpected error: ' + String(e));
    try {
      unavailable(context, 'smsAuthUnavailable');
    } catch (e2) {
      LOG.error('sms-mfa: could not render the error page: ' + String(e2));
      context.failure(flowError('INTERNAL_ERROR'));
    }
  }
}

/* ---- Settings ---- */

function readSettings(realm: RealmModel): Settings {
  const bridgeUrl = setting(
    realm,
    'smsMfaBridgeUrl',
    'SMS_MFA_BRIDGE_URL',
    'http://localhost:3000',
  ).replace(/\/+$/, '');
  const tokenRealm = setting(realm, 'smsMfaTokenRealm', 'SMS_MFA_TOKEN_REALM', 'mfa');
  return {
    bridgeUrl: bridgeUrl,
    clientId: setting(realm, 'smsMfaClientId', 'SMS_MFA_CLIENT_ID', ''),
    clientSecret: setting(realm, 'smsMfaClientSecret', 'SMS_MFA_CLIENT_SECRET', ''),
    tokenUrl: setting(
      realm,
      'smsMfaTokenUrl',
      'SMS_MFA_TOKEN_URL',
      bridgeUrl + '/realms/' + encodeURIComponent(tokenRealm) + '/protocol/openid-connect/token',
    ),
    phoneAttribute: setting(
      realm,
      'smsMfaPhoneAttribute',
      'SMS_MFA_PHONE_ATTRIBUTE',
      'mobile_number',
    ),
    missingPhone: setting(
      realm,
      'smsMfaMissingPhone',
      'SMS_MFA_MISSING_PHONE',
      'fail',
    ).toLowerCase(),
  };
}

/** Realm attribute, else environment variable, else the default; blank counts as unset. */
function setting(realm: RealmModel, attribute: string, envName: string, fallback: string): string {
  let value = text(realm.getAttribute(attribute));
  if (value) {
    return value;
  }
  value = text(
    Java.type<{ getenv(name: string): string | null }>('java.lang.System').getenv(envName),
  );
  return value || fallback;
}

/** A Java or JS value as a trimmed JS string ('' for null). */
function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value).replace(/^\s+|\s+$/g, '');
}

/* ---- The two entry points ---- */

/** First visit or reload: show the pending code's page, or send a code. */
function start(context: AuthenticationFlowContext, settings: Settings): void {
  const bridge = connect(context, settings);
  const authId = text(context.getAuthenticationSession().getAuthNote(AUTH_ID_NOTE));
  if (authId) {
    const state = bridge.call('GET', DEVICE_AUTHS + '/' + encodeURIComponent(authId));
    if (state.status === 200 && state.body['status'] === 'pending') {
      return codePage(context, state.body, {});
    }
    if (state.status === 200 && state.body['status'] === 'max_attempts_reached') {
      return locked(context);
    }
    if (state.status !== 200 && state.status !== 404) {
      return outage(context, 'status', state);
    }
  }
  sendCode(context, settings, bridge);
}

/** A post of the code page: resend, or check the code. */
function act(context: AuthenticationFlowContext, settings: Settings): void {
  const authId = text(context.getAuthenticationSession().getAuthNote(AUTH_ID_NOTE));
  if (!authId) {
    return start(context, settings);
  }
  const form = context.getHttpRequest().getDecodedFormParameters();
  const bridge = connect(context, settings);
  if (form.containsKey('resend')) {
    return resend(context, settings, bridge, authId);
  }
  const code = text(form.getFirst('code')).replace(/[\s-]+/g, '');
  if (!code) {
    return redraw(context, bridge, authId, { fieldError: 'smsAuthCodeRequired' });
  }
  checkCode(context, settings, bridge, authId, code);
}

/* ---- Use cases ---- */

function sendCode(context: AuthenticationFlowContext, settings: Settings, bridge: Bridge): void {
  const user = context.getUser();
  const phone = user ? text(user.getFirstAttribute(settings.phoneAttribute)) : '';
  if (!phone) {
    return missingPhone(context, settings, user);
  }
  const body: { [key: string]: string } = {
    userName: user ? text(user.getUsername()) : '',
    phoneNumber: phone,
    deviceType: 'SMS',
  };
  const locale = userLocale(context, user);
  if (locale) {
    body['locale'] = locale;
  }
  const ip = clientAddress(context);
  if (ip) {
    body['ipAddress'] = ip;
  }
  const sent = bridge.call('POST', DEVICE_AUTHS, body);
  if (sent.status !== 201 || !sent.body['authId']) {
    return sendRefused(context, sent, phone);
  }
  const authId = String(sent.body['authId']);
  context.getAuthenticationSession().setAuthNote(AUTH_ID_NOTE, authId);
  LOG.info('sms-mfa: code sent to ' + mask(phone) + ' (authId ' + authId + ')');
  redraw(context, bridge, authId, {});
}

function resend(
  context: AuthenticationFlowContext,
  settings: Settings,
  bridge: Bridge,
  authId: string,
): void {
  const ip = clientAddress(context);
  const answer = bridge.call(
    'POST',
    DEVICE_AUTHS + '/' + encodeURIComponent(authId) + '/resend',
    ip ? { ipAddress: ip } : {},
  );
  if (answer.status === 200) {
    return redraw(context, bridge, authId, { info: 'smsAuthResent' });
  }
  if (answer.status === 429) {
    return redraw(context, bridge, authId, {
      fieldError: 'smsAuthResendTooSoon',
      fieldErrorParam: String(answer.retryAfterSeconds),
      cooldownSeconds: answer.retryAfterSeconds,
    });
  }
  if (answer.status === 403 && answer.body['code'] === 'MAX_ATTEMPTS_REACHED') {
    return locked(context);
  }
  if (answer.status === 404 || answer.status === 409 || answer.status === 410) {
    return startOver(context, settings, bridge);
  }
  outage(context, 'resend', answer);
}

function checkCode(
  context: AuthenticationFlowContext,
  settings: Settings,
  bridge: Bridge,
  authId: string,
  code: string,
): void {
  const answer = bridge.call('POST', DEVICE_AUTHS + '/' + encodeURIComponent(authId), {
    otp: code,
    deviceType: 'SMS',
  });
  const errorCode = answer.body['code'];
  if (answer.status === 200) {
    context.getAuthenticationSession().removeAuthNote(AUTH_ID_NOTE);
    return context.success();
  }
  if (answer.status === 400 && errorCode === 'OTP_INVALID') {
    wrongCode(context, '');
    return redraw(context, bridge, authId, {
      fieldError: 'smsAuthCodeInvalid',
      attemptsRemaining: numberOr(answer.body['attemptsRemaining'], -1),
      countAsFailure: true,
    });
  }
  if (answer.status === 400 && errorCode === 'INVALID_REQUEST') {
    return redraw(context, bridge, authId, {
      fieldError: /^[0-9]+$/.test(code) ? 'smsAuthCodeInvalid' : 'smsAuthCodeFormat',
    });
  }
  if (answer.status === 410) {
    return redraw(context, bridge, authId, { fieldError: 'smsAuthCodeExpired', offerResend: true });
  }
  if (answer.status === 403 && errorCode === 'MAX_ATTEMPTS_REACHED') {
    wrongCode(context, 'sms_max_attempts');
    return locked(context);
  }
  if (answer.status === 429) {
    return redraw(context, bridge, authId, {
      fieldError: 'smsAuthRateLimited',
      fieldErrorParam: String(answer.retryAfterSeconds),
    });
  }
  if (answer.status === 404 || answer.status === 409) {
    return startOver(context, settings, bridge);
  }
  outage(context, 'validation', answer);
}

/** The authId is gone, used or expired: forget it and send a new code. */
function startOver(context: AuthenticationFlowContext, settings: Settings, bridge: Bridge): void {
  context.getAuthenticationSession().removeAuthNote(AUTH_ID_NOTE);
  sendCode(context, settings, bridge);
}

/** Whether this step is REQUIRED in its flow (the execution's requirement, when Keycloak exposes it). */
function isRequiredStep(context: AuthenticationFlowContext): boolean {
  const execution = context.getExecution ? context.getExecution() : null;
  return (
    execution !== null &&
    execution !== undefined &&
    String(execution.getRequirement()) === 'REQUIRED'
  );
}

function missingPhone(
  context: AuthenticationFlowContext,
  settings: Settings,
  user: UserModel | null,
): void {
  const who = user ? text(user.getUsername()) : '(no user identified yet)';
  if (settings.missingPhone === 'skip') {
    LOG.info(
      'sms-mfa: ' +
        who +
        ' has no ' +
        settings.phoneAttribute +
        '; step skipped (smsMfaMissingPhone=skip)',
    );
    // Keycloak fails the whole flow when a REQUIRED step answers attempted(), so on a REQUIRED step
    // "skip" has to pass the user through; elsewhere attempted() lets the flow decide.
    return isRequiredStep(context) ? context.success() : context.attempted();
  }
  LOG.warn(
    'sms-mfa: ' +
      who +
      ' has no ' +
      settings.phoneAttribute +
      '; sign-in refused (smsMfaMissingPhone=fail)',
  );
  context.challenge(errorPage(context, 'BAD_REQUEST', 'smsAuthNoPhone'));
}

/** The bridge would not send: a number it refuses, a rate limit, or an outage. */
function sendRefused(context: AuthenticationFlowContext, answer: Reply, phone: string): void {
  const code = answer.body['code'];
  if (answer.status === 429) {
    LOG.warn(
      'sms-mfa: sending to ' +
        mask(phone) +
        ' is rate limited for ' +
        answer.retryAfterSeconds +
        ' s',
    );
    return context.challenge(
      errorPage(
        context,
        'TOO_MANY_REQUESTS',
        'smsAuthRateLimited',
        String(answer.retryAfterSeconds),
      ),
    );
  }
  if (
    answer.status === 502 ||
    (answer.status === 400 && code === 'INVALID_PHONE_NUMBER') ||
    (answer.status === 403 && code === 'FORBIDDEN')
  ) {
    LOG.warn(
      'sms-mfa: no code sent to ' + mask(phone) + ': HTTP ' + answer.status + ' ' + String(code),
    );
    return context.challenge(
      errorPage(context, 'BAD_GATEWAY', 'smsAuthSmsNotSent', text(answer.body['message'])),
    );
  }
  outage(context, 'send', answer);
}

function locked(context: AuthenticationFlowContext): void {
  LOG.warn('sms-mfa: too many wrong codes; this sign-in is locked');
  context.failure(
    flowError('INVALID_CREDENTIALS'),
    errorPage(context, 'UNAUTHORIZED', 'smsAuthLocked'),
  );
}

/**
 * A wrong code: the login event Keycloak's OTP form records (invalid_user_credentials), and a
 * failure for brute-force detection. Keycloak 26.4+ counts a failed step only when its
 * authenticator's category is password, otp or recovery-authn-codes, and a script's is "script",
 * so the failure is reported as an otp one, as Keycloak's own OTP form reports it. Older versions
 * count every failed step themselves and have no categories: there the call does not link, and
 * nothing is added.
 */
function wrongCode(context: AuthenticationFlowContext, reason: string): void {
  const event = credentialEvent(context);
  (reason ? event.detail('reason', reason) : event).error('invalid_user_credentials');
  const user = context.getUser();
  if (!user || !context.getRealm().isBruteForceProtected()) {
    return;
  }
  try {
    const Protector = Java.type<{ class: unknown }>(
      'org.keycloak.services.managers.BruteForceProtector',
    );
    const protector = context.getSession().getProvider(Protector.class) as BruteForceProtector;
    const categories = Java.type<{ of(item: string): unknown }>('java.util.Set').of('otp');
    protector.failedLogin(
      context.getRealm(),
      user,
      context.getConnection(),
      context.getUriInfo(),
      categories,
    );
  } catch (e) {
    LOG.debug('sms-mfa: brute-force detection left to Keycloak: ' + String(e));
  }
}

/**
 * The login event for a failed credential, as Keycloak's OTP form reports one. `user` is
 * overloaded (UserModel, String), so it is only called with a user: Nashorn cannot choose for null.
 */
function credentialEvent(context: AuthenticationFlowContext): EventBuilder {
  const user = context.getUser();
  return user ? context.getEvent().user(user) : context.getEvent();
}

function outage(context: AuthenticationFlowContext, what: string, answer: Reply): void {
  LOG.error(
    'sms-mfa: the bridge failed on ' +
      what +
      ': ' +
      (answer.status
        ? 'HTTP ' + answer.status + ' ' + String(answer.body['code'])
        : 'no answer (' + answer.failure + ')'),
  );
  unavailable(context, 'smsAuthUnavailable');
}

function unavailable(context: AuthenticationFlowContext, key: string): void {
  context.challenge(errorPage(context, 'SERVICE_UNAVAILABLE', key));
}

/* ---- Pages ---- */

/** Reads the authentication's state and draws the code page from it. */
function redraw(
  context: AuthenticationFlowContext,
  bridge: Bridge,
  authId: string,
  options: PageOptions,
): void {
  const state = bridge.call('GET', DEVICE_AUTHS + '/' + encodeURIComponent(authId));
  if (state.status !== 200) {
    return outage(context, 'status', state);
  }
  codePage(context, state.body, options);
}

function codePage(
  context: AuthenticationFlowContext,
  view: { [key: string]: unknown },
  options: PageOptions,
): void {
  let resends = numberOr(view['sendsRemaining'], 0);
  let cooldown =
    options.cooldownSeconds !== undefined
      ? options.cooldownSeconds
      : secondsUntil(view['resendAvailableAt']);
  if (options.offerResend) {
    resends = Math.max(resends, 1);
    cooldown = 0;
  }
  const attempts =
    options.attemptsRemaining !== undefined && options.attemptsRemaining >= 0
      ? options.attemptsRemaining
      : numberOr(view['attemptsRemaining'], 0);
  const form = context
    .form()
    .setAttribute('maskedPhone', text(view['phoneNumber']))
    .setAttribute('attemptsRemaining', String(attempts))
    .setAttribute('resendsRemaining', String(resends))
    .setAttribute('resendCooldownSeconds', String(cooldown));
  if (options.fieldError) {
    form.addError(fieldMessage(options.fieldError, options.fieldErrorParam));
  }
  if (options.info) {
    form.setInfo(options.info, objects([]));
  }
  const page = form.createForm(CODE_PAGE);
  if (options.countAsFailure) {
    return context.failureChallenge(flowError('INVALID_CREDENTIALS'), page);
  }
  context.challenge(page);
}

function fieldMessage(key: string, param?: string): object {
  const FormMessage = Java.type<
    new (field: string, message: string, ...parameters: unknown[]) => object
  >('org.keycloak.models.utils.FormMessage');
  return param === undefined ? new FormMessage('code', key) : new FormMessage('code', key, param);
}

/** Keycloak's error page with one of the theme's messages; the HTTP status is a Response.Status name. */
function errorPage(
  context: AuthenticationFlowContext,
  statusName: string,
  key: string,
  param?: string,
): Page {
  return context
    .form()
    .setError(key, objects(param === undefined ? [] : [param]))
    .createErrorPage(responseStatus(statusName));
}

/**
 * Message parameters as the Object[] LoginFormsProvider's setError and setInfo take. They are
 * varargs, but FreeMarkerLoginFormsProvider narrows their return type, so the class also carries
 * synthetic bridge methods setError(String, Object[]) that are not varargs, and Nashorn links a
 * call to those: setError(key) or setError(key, param) fails to match.
 */
function objects(values: string[]): JavaArray {
  return Java.to(values, 'java.lang.Object[]');
}

/** jakarta.ws.rs from Keycloak 22 on, javax.ws.rs before. */
function responseStatus(name: string): object {
  let Status: { [name: string]: object };
  try {
    Status = Java.type<{ [name: string]: object }>('jakarta.ws.rs.core.Response$Status');
  } catch {
    Status = Java.type<{ [name: string]: object }>('javax.ws.rs.core.Response$Status');
  }
  return Status[name] || (Status['BAD_REQUEST'] as object);
}

function flowError(name: string): unknown {
  return Java.type<{ [name: string]: unknown }>(
    'org.keycloak.authentication.AuthenticationFlowError',
  )[name];
}

/* ---- The bridge over HTTP ---- */

/**
 * A bridge client. A token the bridge refuses leaves Keycloak's store; when it came from there, a
 * new one is fetched and the call repeated, once.
 */
function connect(context: AuthenticationFlowContext, settings: Settings): Bridge {
  const http = httpClient(context.getSession());
  const clientId = unvault(context, settings.clientId, 'smsMfaClientId');
  let token: BridgeToken | null = null;
  const attempt = function (method: string, path: string, body?: object) {
    if (!token) {
      token = clientId === null ? noToken() : tokenFor(context, http, settings, clientId);
    }
    const used = token;
    const reply = send(http, settings.bridgeUrl, used.value, method, path, body);
    if (reply.status === 401) {
      tokenStore(context, settings.tokenUrl, clientId!).drop();
    }
    return { reply: reply, stored: used.stored };
  };
  return {
    call: function (method: string, path: string, body?: object): Reply {
      const first = attempt(method, path, body);
      if (first.reply.status !== 401 || !first.stored) {
        return first.reply;
      }
      LOG.info('sms-mfa: the bridge refused the stored token; fetching a new one');
      token = null;
      return attempt(method, path, body).reply;
    },
  };
}

function noToken(): BridgeToken {
  return { value: '', stored: false };
}

/** One call to the bridge with a token; without one, no call and status 0. */
function send(
  http: HttpClient,
  bridgeUrl: string,
  token: string,
  method: string,
  path: string,
  body?: object,
): Reply {
  if (!token) {
    return { status: 0, body: {}, retryAfterSeconds: 0, failure: 'no bridge token' };
  }
  let request = (method === 'GET' ? http.get(bridgeUrl + path) : http.post(bridgeUrl + path)).auth(
    token,
  );
  if (body) {
    request = request.entity(jsonEntity(body));
  }
  return exchange(request);
}

/** The stored token, else a new one from the token endpoint (then stored). */
function tokenFor(
  context: AuthenticationFlowContext,
  http: HttpClient,
  settings: Settings,
  clientId: string,
): BridgeToken {
  if (!clientId || !settings.clientSecret) {
    LOG.error(
      'sms-mfa: smsMfaClientId / smsMfaClientSecret (or SMS_MFA_CLIENT_ID / SMS_MFA_CLIENT_SECRET) are not set',
    );
    return noToken();
  }
  const store = tokenStore(context, settings.tokenUrl, clientId);
  const stored = store.read();
  if (stored) {
    return { value: stored, stored: true };
  }
  const secret = unvault(context, settings.clientSecret, 'smsMfaClientSecret');
  if (secret === null) {
    return noToken();
  }
  const answer = exchange(
    http
      .post(settings.tokenUrl)
      .authBasic(clientId, secret)
      .param('grant_type', 'client_credentials'),
  );
  const value = answer.status === 200 ? text(answer.body['access_token']) : '';
  if (!value) {
    LOG.error('sms-mfa: ' + tokenProblem(answer, settings.tokenUrl, clientId));
    return noToken();
  }
  store.keep(value, numberOr(answer.body['expires_in'], NaN));
  return { value: value, stored: false };
}

/** Why the token endpoint gave no token, in words an operator can act on (never the secret). */
function tokenProblem(answer: Reply, tokenUrl: string, clientId: string): string {
  if (answer.status === 0) {
    return (
      'the token endpoint ' +
      withoutUserInfo(tokenUrl) +
      ' could not be reached for client ' +
      clientId +
      ': ' +
      answer.failure
    );
  }
  if (answer.status !== 200) {
    return (
      'the token endpoint refused client ' +
      clientId +
      ': HTTP ' +
      answer.status +
      ' ' +
      oauthError(answer.body)
    );
  }
  return 'the token endpoint answered client ' + clientId + ' with HTTP 200 but no access_token';
}

/** RFC 6749's error and error_description, when the answer has them. */
function oauthError(body: { [key: string]: unknown }): string {
  const error = text(body['error']);
  const description = text(body['error_description']).slice(0, 200);
  if (!error) {
    return '(no OAuth error in the answer)';
  }
  return description ? error + ' (' + description + ')' : error;
}

function withoutUserInfo(url: string): string {
  return url.replace(/\/\/[^\/@]*@/, '//');
}

/* ---- The bridge token, kept in Keycloak between steps ---- */

/**
 * The token's entry in session.singleUseObjects(): Keycloak evaluates the script afresh for every
 * call, so only Keycloak's own store outlives a step. Keyed by realm, token URL and client id (a
 * realm never rides on another realm's token); the store failing only costs a token call.
 */
function tokenStore(
  context: AuthenticationFlowContext,
  tokenUrl: string,
  clientId: string,
): TokenStore {
  const store = context.getSession().singleUseObjects();
  const key =
    TOKEN_KEY_PREFIX + sha256Hex(context.getRealm().getId() + '\n' + tokenUrl + '\n' + clientId);
  return {
    read: function (): string {
      return quietly('read', function () {
        const notes = store.get(key);
        return notes ? text(notes.get('access_token')) : '';
      });
    },
    keep: function (token: string, expiresInSeconds: number): void {
      const lifespan = Math.floor(expiresInSeconds) - TOKEN_MARGIN_SECONDS;
      if (!(lifespan >= 1)) {
        return;
      }
      quietly('keep', function () {
        const HashMap = Java.type<new () => JavaMap>('java.util.HashMap');
        const notes = new HashMap();
        notes.put('access_token', token);
        store.put(key, lifespan, notes);
        return '';
      });
    },
    drop: function (): void {
      quietly('drop', function () {
        store.remove(key);
        return '';
      });
    },
  };
}

/** Runs one store operation; a failure is logged and reads as "nothing stored". */
function quietly(what: string, operation: () => string): string {
  try {
    return operation();
  } catch (e) {
    LOG.warn('sms-mfa: could not ' + what + ' the stored bridge token: ' + String(e));
    return '';
  }
}

/** Lowercase hex SHA-256 of the text's UTF-8 bytes, by java.security.MessageDigest. */
function sha256Hex(input: string): string {
  const MessageDigest = Java.type<{ getInstance(algorithm: string): JavaMessageDigest }>(
    'java.security.MessageDigest',
  );
  const charsets = Java.type<{ UTF_8: { encode(text: string): unknown } }>(
    'java.nio.charset.StandardCharsets',
  );
  const digest = MessageDigest.getInstance('SHA-256');
  digest.update(charsets.UTF_8.encode(input));
  const bytes = digest.digest();
  let hex = '';
  for (let i = 0; i < bytes.length; i++) {
    hex += ((bytes[i] & 0xff) + 0x100).toString(16).slice(1);
  }
  return hex;
}

/* ---- Keycloak's vault ---- */

/**
 * A setting's value, or the vault entry it names when it is `${vault.<key>}`; null, logged, when
 * the vault has no such entry or cannot be read.
 */
function unvault(context: AuthenticationFlowContext, value: string, name: string): string | null {
  const match = VAULT_REFERENCE.exec(value);
  if (!match) {
    return value;
  }
  const realm = context.getRealm().getName();
  let found = '';
  try {
    found = readVault(context.getSession(), value);
  } catch (e) {
    LOG.error(
      'sms-mfa: could not read the vault entry ' +
        match[1] +
        ' for realm ' +
        realm +
        ' (' +
        name +
        '): ' +
        String(e),
    );
    return null;
  }
  if (found) {
    return found;
  }
  LOG.error(
    'sms-mfa: the vault has no entry ' + match[1] + ' for realm ' + realm + ' (' + name + ')',
  );
  return null;
}

/** Reads a vault entry and closes it at once (the secret is blanked on close, so read first). */
function readVault(session: KeycloakSession, reference: string): string {
  const secret = session.vault().getStringSecret(reference);
  try {
    const value = secret.get();
    return value.isPresent() ? text(value.get()) : '';
  } finally {
    secret.close();
  }
}

/** Sends a request; a network error or timeout is status 0 with the Java exception, never a throw. */
function exchange(request: HttpRequest): Reply {
  try {
    const response = request.header('Accept', 'application/json').asResponse();
    const status = response.getStatus();
    const raw = text(response.asString());
    const retryAfter = numberOr(text(response.getFirstHeader('Retry-After')), 0);
    return { status: status, body: parseJson(raw), retryAfterSeconds: Math.ceil(retryAfter) };
  } catch (e) {
    return { status: 0, body: {}, retryAfterSeconds: 0, failure: String(e) };
  }
}

function parseJson(raw: string): { [key: string]: unknown } {
  try {
    const value = raw ? JSON.parse(raw) : {};
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function jsonEntity(body: object): unknown {
  const StringEntity = Java.type<new (content: string, contentType: unknown) => unknown>(
    'org.apache.http.entity.StringEntity',
  );
  const ContentType = Java.type<{ APPLICATION_JSON: unknown }>(
    'org.apache.http.entity.ContentType',
  );
  return new StringEntity(JSON.stringify(body), ContentType.APPLICATION_JSON);
}

interface HttpClient {
  get(url: string): HttpRequest;
  post(url: string): HttpRequest;
}

/** org.keycloak.http.simple.SimpleHttp (Keycloak 26.4+), else the older broker SimpleHttp. */
function httpClient(session: KeycloakSession): HttpClient {
  let modern: ModernSimpleHttp | null = null;
  try {
    modern = Java.type<ModernSimpleHttp>('org.keycloak.http.simple.SimpleHttp');
  } catch {
    modern = null;
  }
  if (modern) {
    let client = modern.create(session);
    try {
      client = client.withRequestConfig(requestConfig());
    } catch {
      LOG.warn('sms-mfa: SimpleHttp takes no request config here; using the client defaults');
    }
    return {
      get: function (url: string) {
        return client.doGet(url);
      },
      post: function (url: string) {
        return client.doPost(url);
      },
    };
  }
  const legacy = Java.type<LegacySimpleHttp>('org.keycloak.broker.provider.util.SimpleHttp');
  return {
    get: function (url: string) {
      return withTimeouts(legacy.doGet(url, session));
    },
    post: function (url: string) {
      return withTimeouts(legacy.doPost(url, session));
    },
  };
}

function requestConfig(): unknown {
  const RequestConfig = Java.type<{ custom(): RequestConfigBuilder }>(
    'org.apache.http.client.config.RequestConfig',
  );
  return RequestConfig.custom()
    .setConnectTimeout(HTTP_TIMEOUT_MS)
    .setSocketTimeout(HTTP_TIMEOUT_MS)
    .setConnectionRequestTimeout(HTTP_TIMEOUT_MS)
    .build();
}

function withTimeouts(request: HttpRequest): HttpRequest {
  const timed = request.connectTimeoutMillis
    ? request.connectTimeoutMillis(HTTP_TIMEOUT_MS)
    : request;
  return timed.socketTimeOutMillis ? timed.socketTimeOutMillis(HTTP_TIMEOUT_MS) : timed;
}

/* ---- Small helpers ---- */

function userLocale(context: AuthenticationFlowContext, user: UserModel | null): string {
  let tag = '';
  try {
    const locale = context.getSession().getContext().resolveLocale(user);
    tag = locale ? text(locale.toLanguageTag()) : '';
  } catch {
    tag = user ? text(user.getFirstAttribute('locale')) : '';
  }
  return LOCALE_SHAPE.test(tag) ? tag : '';
}

function clientAddress(context: AuthenticationFlowContext): string {
  const connection = context.getConnection();
  const address = connection ? text(connection.getRemoteAddr()) : '';
  return address.length <= 45 && IP_SHAPE.test(address) ? address : '';
}

/** +91******212: enough to recognise a number in logs, not enough to use it. */
function mask(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length < 7) {
    return '***';
  }
  return digits.slice(0, 3) + new Array(digits.length - 5).join('*') + digits.slice(-3);
}

function secondsUntil(iso: unknown): number {
  const at = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return isNaN(at) ? 0 : Math.max(0, Math.ceil((at - new Date().getTime()) / 1000));
}

function numberOr(value: unknown, fallback: number): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value !== ''
        ? Number(value)
        : NaN;
  return isNaN(n) ? fallback : n;
}
