// Runs the compiled script authenticator the way Keycloak does: a fresh script scope per call with
// Keycloak's bindings (context, user, realm, session, authenticationSession, clientSession,
// httpRequest, script, LOG) and Nashorn's Java.type, over fakes that record every outcome. It runs
// in a worker thread because the fake SimpleHttp blocks (execFileSync) while the bridge under test
// keeps serving on the main thread. The fakes follow Keycloak 26.7's classes as javap shows them:
// the vault is DefaultVaultTranscriber over FilesPlainTextVaultProvider, singleUseObjects() is
// InfinispanSingleUseObjectProvider (its store lives in the harness, so it outlives a run as the
// real one outlives a request), and a failed HTTP call throws the Java exception Apache HttpClient
// would, which Nashorn hands to `catch` as it is.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';

const HELPER = fileURLToPath(new URL('./http-helper.mjs', import.meta.url));

const FLOW_ERRORS = [
  'EXPIRED_CODE',
  'INVALID_CLIENT_SESSION',
  'INVALID_USER',
  'INVALID_CREDENTIALS',
  'CREDENTIAL_SETUP_REQUIRED',
  'USER_DISABLED',
  'USER_TEMPORARILY_DISABLED',
  'INTERNAL_ERROR',
  'ACCESS_DENIED',
];
const STATUSES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'BAD_GATEWAY',
  'SERVICE_UNAVAILABLE',
];

/** BruteForceProtector.class, as session.getProvider is handed it. */
const BRUTE_FORCE_CLASS = { name: 'org.keycloak.services.managers.BruteForceProtector' };

/**
 * Keycloak's brute-force detector: 26.4+ takes the authentication categories (and counts only
 * password, otp and recovery-authn-codes); before that (the 'legacy' SimpleHttp versions) it has
 * only the four-argument failedLogin, which Nashorn cannot link to a call with five.
 */
function fakeBruteForce(state, record) {
  return {
    failedLogin: (...args) => {
      if (state.simpleHttp === 'legacy' || args.length !== 5) {
        throw javaException(
          'java.lang.NoSuchMethodException',
          'no applicable overload of failedLogin for the given arguments',
        );
      }
      record.bruteForce.push([...args[4]]);
    },
  };
}

/** Nashorn's ClassNotFoundException, as Java.type throws it for a class that is not there. */
function classNotFound(name) {
  return new Error(`java.lang.ClassNotFoundException: ${name}`);
}

function run({ source, fn, state, store, nowMs }) {
  const record = {
    outcomes: [],
    events: [],
    bruteForce: [],
    logs: [],
    http: [],
    notes: { ...state.notes },
    vaultSecretsOpen: 0,
    store: new Map(store),
    nowMs,
  };
  const bindings = keycloakBindings(state, record);
  try {
    vm.runInNewContext(`${source}\n;this.__result = ${fn}(context);`, bindings, {
      filename: 'sms-authenticator.js',
    });
  } catch (err) {
    record.thrown = String(err?.stack ?? err);
  }
  const result = { ...record, store: [...record.store] };
  delete result.nowMs;
  return result;
}

function keycloakBindings(state, record) {
  const user = state.user ? fakeUser(state.user) : null;
  const realm = {
    getId: () => state.realmId ?? 'f1c5e0aa-5c2e-4d4b-9d6e-2a1f3b9e7c01',
    getName: () => state.realmName ?? 'sms-demo',
    getAttribute: (name) => state.realmAttributes?.[name] ?? null,
    getDefaultLocale: () => null,
    isBruteForceProtected: () => state.bruteForceProtected ?? true,
  };
  const session = {
    getContext: () => ({
      resolveLocale: () => (state.locale ? { toLanguageTag: () => state.locale } : null),
    }),
    vault: () => fakeVault(realm.getName(), state.vaultFiles, record),
    singleUseObjects: () => fakeSingleUseObjects(record),
    getProvider: (type) => (type === BRUTE_FORCE_CLASS ? fakeBruteForce(state, record) : null),
  };
  const authenticationSession = {
    getAuthNote: (name) => record.notes[name] ?? null,
    setAuthNote: (name, value) => void (record.notes[name] = String(value)),
    removeAuthNote: (name) => void delete record.notes[name],
  };
  const httpRequest = {
    getDecodedFormParameters: () => ({
      getFirst: (name) => (state.form && name in state.form ? state.form[name] : null),
      containsKey: (name) => Boolean(state.form && name in state.form),
    }),
  };
  const event = {
    user: () => event,
    detail: () => event,
    error: (error) => void record.events.push(error),
  };
  const outcome =
    (type) =>
    (...args) => {
      const error = typeof args[0] === 'string' ? args[0] : undefined;
      const page = args.find((a) => a && typeof a === 'object' && 'kind' in a);
      record.outcomes.push({ type, ...(error ? { error } : {}), ...(page ? { page } : {}) });
    };
  const context = {
    getRealm: () => realm,
    getUser: () => user,
    getSession: () => session,
    getAuthenticationSession: () => authenticationSession,
    getHttpRequest: () => httpRequest,
    getConnection: () => ({ getRemoteAddr: () => state.remoteAddr ?? '127.0.0.1' }),
    getUriInfo: () => ({}),
    getEvent: () => event,
    getExecution: () => ({ getRequirement: () => state.requirement ?? 'REQUIRED' }),
    form: () => fakeForm(),
    challenge: outcome('challenge'),
    failureChallenge: outcome('failureChallenge'),
    failure: outcome('failure'),
    success: outcome('success'),
    attempted: outcome('attempted'),
  };
  const LOG = Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [
      level,
      (message) => void record.logs.push({ level, message: String(message) }),
    ]),
  );
  const Java = {
    type: (name) => javaType(name, state, record),
    to: (values, type) => {
      if (type !== 'java.lang.Object[]') {
        throw new TypeError(`the fake Java.to makes Object[] only, not ${type}`);
      }
      return new JavaArray(values);
    },
  };
  return {
    context,
    user,
    realm,
    session,
    authenticationSession,
    clientSession: authenticationSession,
    httpRequest,
    script: { name: 'sms-authenticator.js' },
    LOG,
    Java,
  };
}

function fakeUser({ username, attributes = {} }) {
  return { getUsername: () => username, getFirstAttribute: (name) => attributes[name] ?? null };
}

/** A Java exception as Nashorn's `catch` sees it: toString() is "class: message". */
function javaException(className, message) {
  return {
    getMessage: () => message,
    getClass: () => ({ getName: () => className }),
    toString: () => `${className}: ${message}`,
  };
}

/** java.util.Optional. */
function optional(value) {
  return {
    isPresent: () => value !== null,
    get: () => {
      if (value === null) {
        throw javaException('java.util.NoSuchElementException', 'No value present');
      }
      return value;
    },
  };
}

/**
 * session.vault(): DefaultVaultTranscriber. `${vault.<key>}` is looked up in the file vault, whose
 * files are named <realm>_<key> with underscores doubled (the default key resolver); any other
 * value comes back as it is; with no vault configured (`vaultFiles` undefined) every entry is
 * empty. After close() a VaultStringSecret's get() throws, as DefaultVaultStringSecret's does.
 */
function fakeVault(realmName, vaultFiles, record) {
  return {
    getStringSecret: (value) => {
      const key = value === null ? null : /^\$\{vault\.(.+?)}$/.exec(value)?.[1];
      const file = key ? `${realmName.replace(/_/g, '__')}_${key.replace(/_/g, '__')}` : null;
      const secret =
        key === undefined ? value : key && !key.includes('/') ? (vaultFiles?.[file] ?? null) : null;
      if (secret === null) {
        return { get: () => optional(null), close: () => {} };
      }
      record.vaultSecretsOpen++;
      let closed = false;
      return {
        get: () => {
          if (closed) {
            throw javaException('java.lang.NullPointerException', 'value');
          }
          return optional(secret);
        },
        close: () => {
          if (!closed) {
            record.vaultSecretsOpen--;
          }
          closed = true;
        },
      };
    },
  };
}

/** java.util.HashMap, as far as the script uses it. */
class JavaHashMap {
  #entries = new Map();
  put(key, value) {
    const old = this.get(key);
    this.#entries.set(String(key), value);
    return old;
  }
  get(key) {
    return this.#entries.has(String(key)) ? this.#entries.get(String(key)) : null;
  }
  toObject() {
    return Object.fromEntries(this.#entries);
  }
}

/**
 * session.singleUseObjects(): put(key, lifespanSeconds, Map<String,String>), get(key) → Map or
 * null, remove(key) → Map or null, with InfinispanSingleUseObjectProvider's checks: a null key
 * throws, a lifespan under 1 s throws IllegalArgumentException, ".revoked" keys take no notes. The
 * notes must be a java.util.Map of strings; Nashorn would hand a script object over as a
 * ScriptObjectMirror, which the cluster's marshaller cannot write.
 */
function fakeSingleUseObjects(record) {
  const live = (key) => {
    const entry = record.store.get(key);
    if (entry && entry.expiresAtMs > record.nowMs) {
      return entry;
    }
    record.store.delete(key);
    return undefined;
  };
  const asMap = (entry) => {
    if (!entry) {
      return null;
    }
    const map = new JavaHashMap();
    for (const [k, v] of Object.entries(entry.notes)) {
      map.put(k, v);
    }
    return map;
  };
  const requireKey = (key) => {
    if (key === null || key === undefined) {
      throw javaException('java.lang.NullPointerException', '');
    }
  };
  return {
    put: (key, lifespanSeconds, notes) => {
      requireKey(key);
      const lifespan = Math.trunc(Number(lifespanSeconds));
      if (!(lifespan > 0)) {
        throw javaException(
          'java.lang.IllegalArgumentException',
          'lifespanSeconds must be positive',
        );
      }
      if (!(notes instanceof JavaHashMap)) {
        throw javaException(
          'org.infinispan.commons.marshall.MarshallingException',
          'notes must be a java.util.Map<String,String>',
        );
      }
      const values = notes.toObject();
      if (String(key).endsWith('.revoked') && Object.keys(values).length) {
        throw javaException(
          'org.keycloak.models.ModelException',
          'Notes are not supported for revoked tokens',
        );
      }
      if (Object.values(values).some((v) => typeof v !== 'string')) {
        throw javaException(
          'java.lang.ClassCastException',
          'notes hold a value that is not a String',
        );
      }
      record.store.set(String(key), {
        notes: values,
        lifespanSeconds: lifespan,
        expiresAtMs: record.nowMs + lifespan * 1000,
      });
    },
    get: (key) => {
      requireKey(key);
      return asMap(live(String(key)));
    },
    remove: (key) => {
      requireKey(key);
      const entry = live(String(key));
      record.store.delete(String(key));
      return asMap(entry);
    },
  };
}

/** A Java array, as Java.to makes one. */
class JavaArray {
  constructor(values) {
    this.values = [...values];
  }
}

/**
 * FreeMarkerLoginFormsProvider's setError/setInfo as Nashorn links them: to the synthetic bridge
 * methods (String, Object[]), which are not varargs, so the parameters must be a Java array.
 */
function bridgeMethod(name, form, apply) {
  return (...args) => {
    if (args.length !== 2 || !(args[1] instanceof JavaArray)) {
      throw new TypeError(
        `Can not invoke method [jdk.dynalink.beans.SimpleDynamicMethod LoginFormsProvider org.keycloak.forms.login.freemarker.FreeMarkerLoginFormsProvider.${name}(String,Object[])] with the passed arguments; they do not match any of its method signatures.`,
      );
    }
    apply(String(args[0]), args[1].values.map(String));
    return form;
  };
}

function fakeForm() {
  const page = { kind: 'form', attributes: {}, fieldErrors: [], error: null, info: null };
  const form = {
    setAttribute: (name, value) => ((page.attributes[name] = value), form),
    addError: (formMessage) => (page.fieldErrors.push(formMessage), form),
    createForm: (template) => ({ ...page, template }),
    createErrorPage: (status) => ({ ...page, kind: 'errorPage', status: status.name }),
  };
  form.setError = bridgeMethod(
    'setError',
    form,
    (message, params) => (page.error = { message, params }),
  );
  form.setInfo = bridgeMethod(
    'setInfo',
    form,
    (message, params) => (page.info = { message, params }),
  );
  return form;
}

function FormMessage(field, message, ...params) {
  this.field = field;
  this.message = message;
  this.params = params;
}

function javaType(name, state, record) {
  switch (name) {
    case 'java.lang.System':
      return { getenv: (key) => state.env?.[key] ?? null };
    case 'org.keycloak.authentication.AuthenticationFlowError':
      return Object.fromEntries(FLOW_ERRORS.map((e) => [e, e]));
    case 'org.keycloak.models.utils.FormMessage':
      return FormMessage;
    case 'jakarta.ws.rs.core.Response$Status':
      return Object.fromEntries(STATUSES.map((s) => [s, { name: s }]));
    case 'org.apache.http.entity.ContentType':
      return { APPLICATION_JSON: 'application/json; charset=UTF-8' };
    case 'org.apache.http.entity.StringEntity':
      return function StringEntity(content, contentType) {
        this.content = content;
        this.contentType = contentType;
      };
    case 'java.util.HashMap':
      return JavaHashMap;
    case 'java.util.Set':
      return { of: (...items) => new Set(items) };
    case 'org.keycloak.services.managers.BruteForceProtector':
      return { class: BRUTE_FORCE_CLASS };
    case 'java.nio.charset.StandardCharsets':
      return { UTF_8: { encode: (text) => ({ byteBuffer: Buffer.from(String(text), 'utf8') }) } };
    case 'java.security.MessageDigest':
      return { getInstance: (algorithm) => messageDigest(algorithm) };
    case 'org.apache.http.client.config.RequestConfig':
      return { custom: () => requestConfigBuilder() };
    case 'org.keycloak.http.simple.SimpleHttp':
      if (state.simpleHttp === 'legacy') {
        throw classNotFound(name);
      }
      return { create: () => modernClient(record, {}) };
    case 'org.keycloak.broker.provider.util.SimpleHttp':
      return {
        doGet: (url) => fakeRequest('GET', url, record, {}),
        doPost: (url) => fakeRequest('POST', url, record, {}),
      };
    default:
      throw classNotFound(name);
  }
}

/** java.security.MessageDigest over ByteBuffers; digest() is a byte[]: signed values. */
function messageDigest(algorithm) {
  const names = { 'SHA-256': 'sha256', 'SHA-1': 'sha1', MD5: 'md5' };
  if (!names[algorithm]) {
    throw javaException(
      'java.security.NoSuchAlgorithmException',
      `${algorithm} MessageDigest not available`,
    );
  }
  const hash = createHash(names[algorithm]);
  return {
    update: (input) => {
      if (!input?.byteBuffer) {
        throw new TypeError('the fake MessageDigest takes a ByteBuffer');
      }
      hash.update(input.byteBuffer);
    },
    digest: () => [...hash.digest()].map((b) => (b > 127 ? b - 256 : b)),
  };
}

function requestConfigBuilder() {
  const config = {};
  const builder = {
    setConnectTimeout: (ms) => ((config.connectTimeoutMs = ms), builder),
    setSocketTimeout: (ms) => ((config.socketTimeoutMs = ms), builder),
    setConnectionRequestTimeout: (ms) => ((config.connectionRequestTimeoutMs = ms), builder),
    build: () => config,
  };
  return builder;
}

function modernClient(record, config) {
  return {
    withRequestConfig: (c) => modernClient(record, c),
    doGet: (url) => fakeRequest('GET', url, record, config),
    doPost: (url) => fakeRequest('POST', url, record, config),
  };
}

/** SimpleHttp's request builder; asResponse() performs the exchange for real, synchronously. */
function fakeRequest(method, url, record, config) {
  const headers = {};
  let params;
  let entity;
  const request = {
    header: (name, value) => ((headers[name] = value), request),
    param: (name, value) => (((params ??= {})[name] = value), request),
    entity: (e) => ((entity = e), request),
    json: () => {
      throw new Error(
        'the fake only takes entity(StringEntity): Jackson would serialise a script object oddly',
      );
    },
    auth: (token) => request.header('Authorization', `Bearer ${token}`),
    authBasic: (user, password) =>
      request.header(
        'Authorization',
        `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      ),
    connectTimeoutMillis: (ms) => ((config = { ...config, connectTimeoutMs: ms }), request),
    socketTimeOutMillis: (ms) => ((config = { ...config, socketTimeoutMs: ms }), request),
    asResponse: () => exchange({ method, url, headers, params, entity, config }, record),
  };
  return request;
}

function exchange({ method, url, headers, params, entity, config }, record) {
  let body;
  if (method === 'POST' && params) {
    body = new URLSearchParams(params).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
  } else if (method === 'POST' && entity) {
    body = entity.content;
    headers['Content-Type'] ??= entity.contentType;
  } else if (method === 'POST') {
    throw new Error('java.lang.IllegalStateException: No content set');
  }
  const timeoutMs = config.socketTimeoutMs ?? 30000;
  const out = JSON.parse(
    execFileSync(process.execPath, [HELPER], {
      input: JSON.stringify({ method, url, headers, body, timeoutMs }),
      encoding: 'utf8',
    }),
  );
  const entry = {
    method,
    url,
    status: out.status ?? 0,
    timeoutMs: config.socketTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  };
  if (method === 'POST') {
    entry.body = params ? { ...params } : JSON.parse(body);
  }
  record.http.push(entry);
  if (out.error) {
    throw httpClientException(out.error, new URL(url));
  }
  const lower = Object.fromEntries(
    Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    getStatus: () => out.status,
    asString: () => out.body,
    getFirstHeader: (name) => lower[name.toLowerCase()] ?? null,
  };
}

/** What Apache HttpClient (under SimpleHttp) throws for a failed exchange. */
function httpClientException(error, url) {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (/ECONNREFUSED/.test(error)) {
    return javaException(
      'org.apache.http.conn.HttpHostConnectException',
      `Connect to ${url.hostname}:${port} [/${url.hostname}] failed: Connection refused`,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(error)) {
    return javaException(
      'java.net.UnknownHostException',
      `${url.hostname}: Name or service not known`,
    );
  }
  if (/TimeoutError|aborted due to timeout/.test(error)) {
    return javaException('java.net.SocketTimeoutException', 'Read timed out');
  }
  return javaException('java.io.IOException', error);
}

parentPort.on('message', (message) =>
  parentPort.postMessage({ id: message.id, result: run(message) }),
);
