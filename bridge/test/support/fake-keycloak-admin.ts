import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process fake of the Keycloak Admin REST endpoints the installer uses, with Keycloak's
 * request and response shapes (AuthenticationManagementResource, RealmAdminResource,
 * UserProfileResource): the token endpoint, realm GET/PUT, authenticator providers, flows, copy,
 * executions (list, add, requirement, raise/lower priority) and the user profile. It keeps state,
 * so tests assert what the installer left behind, and records every request. Like Keycloak, a realm
 * PUT that leaves out the OAuth 2.0 device settings resets them, and one that carries `attributes`
 * drops every attribute it leaves out.
 */

export interface FakeExecution {
  id: string;
  /** Provider id for an authenticator; undefined for a subflow. */
  authenticator: string | undefined;
  /** The subflow's id when this execution is a subflow. */
  flowId: string | undefined;
  requirement: string;
  priority: number;
}

export interface FakeFlow {
  id: string;
  alias: string;
  description: string;
  providerId: 'basic-flow' | 'form-flow';
  topLevel: boolean;
  builtIn: boolean;
  executions: FakeExecution[];
}

/** The slice of a RealmRepresentation the fake keeps; the seeded values differ from Keycloak's defaults. */
export interface FakeRealm {
  id: string;
  realm: string;
  displayName: string;
  enabled: boolean;
  browserFlow: string;
  loginTheme: string;
  accessTokenLifespan: number;
  oauth2DeviceCodeLifespan: number;
  oauth2DevicePollingInterval: number;
  attributes: Record<string, string>;
}

/** Fields a realm PUT changes only when it carries them (DefaultExportImportManager.updateRealm). */
const KEPT_WHEN_OMITTED = ['displayName', 'enabled', 'loginTheme', 'accessTokenLifespan'] as const;

/**
 * Fields a realm PUT always sets, to these defaults when it leaves them out: updateRealm calls
 * OAuth2DeviceConfig.setOAuth2DeviceCodeLifespan / setOAuth2DevicePollingInterval with the
 * representation's value, and each setter turns null into its default (600 s, 5 s).
 */
const RESET_WHEN_OMITTED = {
  oauth2DeviceCodeLifespan: 600,
  oauth2DevicePollingInterval: 5,
} as const;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface FakeKeycloakOptions {
  readonly realm?: string;
  /** Whether the SMS script jar is deployed (its provider is listed). */
  readonly scriptDeployed?: boolean;
  readonly scriptProviderId?: string;
  readonly admin?: { readonly username: string; readonly password: string };
  readonly serviceClient?: { readonly clientId: string; readonly clientSecret: string };
}

interface ProviderInfo {
  readonly displayName: string;
  readonly requirementChoices: readonly string[];
}

const PROVIDERS: Record<string, ProviderInfo> = {
  'auth-cookie': {
    displayName: 'Cookie',
    requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  },
  'auth-spnego': {
    displayName: 'Kerberos',
    requirementChoices: ['DISABLED', 'ALTERNATIVE', 'REQUIRED'],
  },
  'identity-provider-redirector': {
    displayName: 'Identity Provider Redirector',
    requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  },
  'auth-username-password-form': {
    displayName: 'Username Password Form',
    requirementChoices: ['REQUIRED'],
  },
  'conditional-user-configured': {
    displayName: 'Condition - user configured',
    requirementChoices: ['REQUIRED', 'DISABLED'],
  },
  'auth-otp-form': {
    displayName: 'OTP Form',
    requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  },
};

/** Keycloak's Base32 (RFC 4648 alphabet, no padding), which GET executions applies to script- ids. */
function keycloakBase32(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of Buffer.from(text)) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    for (; bits >= 5; bits -= 5) {
      out += alphabet[(value >> (bits - 5)) & 31];
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(JSON.stringify(body));
  }
}

/** The running fake: its URL, its state and the requests it saw. */
export class FakeKeycloakAdmin {
  readonly requests: RecordedRequest[] = [];
  readonly flows = new Map<string, FakeFlow>();
  readonly realmName: string;
  realm: FakeRealm;
  profile: {
    attributes: Record<string, unknown>[];
    groups: Record<string, unknown>[];
    unmanagedAttributePolicy?: string;
  };
  providers: Map<string, ProviderInfo>;
  private readonly tokens = new Set<string>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly options: FakeKeycloakOptions = {}) {
    this.realmName = options.realm ?? 'myrealm';
    this.realm = {
      id: randomUUID(),
      realm: this.realmName,
      displayName: 'My realm',
      enabled: true,
      browserFlow: 'browser',
      loginTheme: 'sms-mfa',
      accessTokenLifespan: 300,
      oauth2DeviceCodeLifespan: 1800,
      oauth2DevicePollingInterval: 10,
      attributes: {
        frontendUrl: '',
        cibaAuthRequestedUserHint: 'login_hint',
        oauth2DeviceCodeLifespan: '1800',
        oauth2DevicePollingInterval: '10',
      },
    };
    this.profile = {
      attributes: [
        {
          name: 'username',
          displayName: '${username}',
          permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
          validations: { length: { min: 3, max: 255 } },
        },
        {
          name: 'email',
          displayName: '${email}',
          permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
          validations: { email: {} },
        },
      ],
      groups: [{ name: 'user-metadata', displayHeader: 'User metadata' }],
    };
    this.providers = new Map(Object.entries(PROVIDERS));
    if (options.scriptDeployed ?? true) {
      this.providers.set(this.scriptProviderId, {
        displayName: 'SMS code (bridge)',
        requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
      });
    }
    this.seedBrowserFlow();
  }

  get scriptProviderId(): string {
    return this.options.scriptProviderId ?? 'script-sms-authenticator.js';
  }

  /** Requests that change state (anything but GET and the admin login). */
  writes(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method !== 'GET' && !r.path.endsWith('/protocol/openid-connect/token'),
    );
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** The flattened executions list, as GET .../flows/{alias}/executions returns it. */
  listExecutions(
    flow: FakeFlow,
    level = 0,
    out: Record<string, unknown>[] = [],
  ): Record<string, unknown>[] {
    flow.executions
      .slice()
      .sort((a, b) => a.priority - b.priority)
      .forEach((e, index) => {
        if (e.flowId) {
          const sub = this.flowById(e.flowId);
          const choices =
            sub.providerId === 'basic-flow'
              ? ['REQUIRED', 'ALTERNATIVE', 'DISABLED', 'CONDITIONAL']
              : ['REQUIRED', 'DISABLED'];
          out.push({
            id: e.id,
            requirement: e.requirement,
            displayName: sub.alias,
            description: sub.description,
            requirementChoices: choices,
            configurable: false,
            authenticationFlow: true,
            flowId: sub.id,
            level,
            index,
            priority: e.priority,
          });
          this.listExecutions(sub, level + 1, out);
        } else {
          const id = e.authenticator ?? '';
          const info = this.providers.get(id);
          if (!info) {
            throw new HttpError(404, { error: 'Could not find authenticator provider' });
          }
          const providerId = id.startsWith('script-') ? keycloakBase32(id) : id;
          out.push({
            id: e.id,
            requirement: e.requirement,
            displayName: info.displayName,
            requirementChoices: info.requirementChoices,
            configurable: false,
            providerId,
            level,
            index,
            priority: e.priority,
          });
        }
      });
    return out;
  }

  private seedBrowserFlow(): void {
    const otp = this.addFlow(
      'Browser - Conditional OTP',
      'Flow to determine if the OTP is required for the authentication',
      false,
      true,
      [
        ['conditional-user-configured', 'REQUIRED'],
        ['auth-otp-form', 'REQUIRED'],
      ],
    );
    const forms = this.addFlow(
      'forms',
      'Username, password, otp and other auth forms.',
      false,
      true,
      [
        ['auth-username-password-form', 'REQUIRED'],
        [otp, 'CONDITIONAL'],
      ],
    );
    this.addFlow('browser', 'browser based authentication', true, true, [
      ['auth-cookie', 'ALTERNATIVE'],
      ['auth-spnego', 'DISABLED'],
      ['identity-provider-redirector', 'ALTERNATIVE'],
      [forms, 'ALTERNATIVE'],
    ]);
    this.addFlow('direct grant', 'OpenID Connect Resource Owner Grant', true, true, []);
  }

  private addFlow(
    alias: string,
    description: string,
    topLevel: boolean,
    builtIn: boolean,
    steps: [string | FakeFlow, string][],
  ): FakeFlow {
    const flow: FakeFlow = {
      id: randomUUID(),
      alias,
      description,
      providerId: 'basic-flow',
      topLevel,
      builtIn,
      executions: [],
    };
    steps.forEach(([step, requirement], priority) => {
      const sub = typeof step === 'string' ? undefined : step;
      flow.executions.push({
        id: randomUUID(),
        authenticator: sub ? undefined : (step as string),
        flowId: sub?.id,
        requirement,
        priority: (priority + 1) * 10,
      });
    });
    this.flows.set(alias, flow);
    return flow;
  }

  flowById(id: string): FakeFlow {
    const flow = [...this.flows.values()].find((f) => f.id === id);
    if (!flow) {
      throw new HttpError(404, { error: 'Could not find flow with id' });
    }
    return flow;
  }

  private flowRepresentation(flow: FakeFlow): Record<string, unknown> {
    return {
      id: flow.id,
      alias: flow.alias,
      description: flow.description,
      providerId: flow.providerId,
      topLevel: flow.topLevel,
      builtIn: flow.builtIn,
      authenticationExecutions: flow.executions.map((e) => ({
        authenticator: e.authenticator,
        authenticatorFlow: Boolean(e.flowId),
        requirement: e.requirement,
        priority: e.priority,
        flowAlias: e.flowId ? this.flowById(e.flowId).alias : undefined,
        userSetupAllowed: false,
      })),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const body: unknown =
      req.headers['content-type']?.includes('json') && raw ? JSON.parse(raw) : raw;
    this.requests.push({
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      body,
    });
    try {
      const out = this.route(req, url.pathname, body);
      if (out.location) {
        res.setHeader('location', out.location);
      }
      if (out.body === undefined) {
        res.writeHead(out.status).end();
      } else {
        res
          .writeHead(out.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(out.body));
      }
    } catch (err) {
      if (!(err instanceof HttpError)) {
        throw err;
      }
      res
        .writeHead(err.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(err.body));
    }
  }

  private route(
    req: IncomingMessage,
    pathname: string,
    body: unknown,
  ): { status: number; body?: unknown; location?: string } {
    const method = req.method ?? 'GET';
    const token = /^\/realms\/([^/]+)\/protocol\/openid-connect\/token$/.exec(pathname);
    if (token && method === 'POST') {
      return {
        status: 200,
        body: this.issueToken(req, decodeURIComponent(token[1]!), String(body)),
      };
    }
    const admin = /^\/admin\/realms\/([^/]+)(\/.*)?$/.exec(pathname);
    if (!admin) {
      throw new HttpError(404, { error: 'RESTEASY003210: Could not find resource for full path' });
    }
    this.requireBearer(req);
    if (decodeURIComponent(admin[1]!) !== this.realmName) {
      throw new HttpError(404, { error: 'Realm not found.' });
    }
    const rest = (admin[2] ?? '').split('/').map(decodeURIComponent).join('/');
    const base = `http://${req.headers.host}/admin/realms/${this.realmName}`;
    return this.adminRoute(method, rest, body as Record<string, unknown>, base);
  }

  private adminRoute(
    method: string,
    rest: string,
    body: Record<string, unknown>,
    base: string,
  ): { status: number; body?: unknown; location?: string } {
    const key = `${method} ${rest}`;
    if (key === 'GET ') {
      return { status: 200, body: this.realm };
    }
    if (key === 'PUT ') {
      return this.updateRealm(body);
    }
    if (key === 'GET /users/profile') {
      return { status: 200, body: this.profile };
    }
    if (key === 'PUT /users/profile') {
      return this.updateProfile(body);
    }
    if (key === 'GET /authentication/authenticator-providers') {
      return {
        status: 200,
        body: [...this.providers].map(([id, p]) => ({
          id,
          displayName: p.displayName,
          description: p.displayName,
        })),
      };
    }
    if (key === 'GET /authentication/flows') {
      return {
        status: 200,
        body: [...this.flows.values()]
          .filter((f) => f.topLevel)
          .map((f) => this.flowRepresentation(f)),
      };
    }
    let m = /^(GET|PUT) \/authentication\/flows\/(.+)\/executions$/.exec(key);
    if (m) {
      return m[1] === 'GET'
        ? { status: 200, body: this.listExecutions(this.flowByAlias(m[2]!, 404)) }
        : this.updateExecution(m[2]!, body);
    }
    if ((m = /^POST \/authentication\/flows\/(.+)\/executions\/execution$/.exec(key))) {
      return this.addExecution(m[1]!, body, base);
    }
    if ((m = /^POST \/authentication\/flows\/(.+)\/copy$/.exec(key))) {
      return this.copy(m[1]!, body);
    }
    if ((m = /^POST \/authentication\/executions\/([^/]+)\/(raise|lower)-priority$/.exec(key))) {
      return this.move(m[1]!, m[2] === 'raise' ? -1 : 1);
    }
    throw new HttpError(404, { error: `fake has no ${key}` });
  }

  private issueToken(req: IncomingMessage, realm: string, raw: string): Record<string, unknown> {
    const form = new URLSearchParams(raw);
    if (realm !== 'master') {
      throw new HttpError(404, { error: 'Realm does not exist' });
    }
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent)
      : [];
    const admin = this.options.admin ?? { username: 'admin', password: 'admin' };
    const grant = form.get('grant_type');
    const ok =
      (grant === 'password' &&
        form.get('client_id') === 'admin-cli' &&
        form.get('username') === admin.username &&
        form.get('password') === admin.password) ||
      (grant === 'client_credentials' &&
        this.options.serviceClient !== undefined &&
        basicId === this.options.serviceClient.clientId &&
        basicSecret === this.options.serviceClient.clientSecret);
    if (!ok) {
      throw new HttpError(
        401,
        grant === 'password'
          ? { error: 'invalid_grant', error_description: 'Invalid user credentials' }
          : {
              error: 'unauthorized_client',
              error_description: 'Invalid client or Invalid client credentials',
            },
      );
    }
    const access = randomUUID();
    this.tokens.add(access);
    return {
      access_token: access,
      expires_in: 60,
      refresh_expires_in: 1800,
      refresh_token: randomUUID(),
      token_type: 'Bearer',
      'not-before-policy': 0,
      session_state: randomUUID(),
      scope: 'profile email',
    };
  }

  private requireBearer(req: IncomingMessage): void {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m || !this.tokens.has(m[1]!)) {
      throw new HttpError(401, { error: 'HTTP 401 Unauthorized' });
    }
  }

  private flowByAlias(alias: string, status: number): FakeFlow {
    const flow = this.flows.get(alias);
    if (!flow) {
      throw new HttpError(
        status,
        status === 404 ? { error: 'Flow not found' } : { error: "Parent flow doesn't exist" },
      );
    }
    return flow;
  }

  private updateRealm(body: Record<string, unknown>): { status: number } {
    if (typeof body['browserFlow'] === 'string' && !this.flows.has(body['browserFlow'])) {
      throw new HttpError(400, { errorMessage: 'Flow not found' });
    }
    const realm = this.realm as unknown as Record<string, unknown>;
    for (const field of [...KEPT_WHEN_OMITTED, 'browserFlow'] as const) {
      if (body[field] != null) {
        realm[field] = body[field];
      }
    }
    // A PUT that carries `attributes` sets those and removes every other one.
    if (body['attributes']) {
      this.realm.attributes = { ...(body['attributes'] as Record<string, string>) };
    }
    // Then the device settings are set, and stored as attributes too, whatever the attributes said.
    for (const [field, fallback] of Object.entries(RESET_WHEN_OMITTED)) {
      realm[field] = typeof body[field] === 'number' ? body[field] : fallback;
      this.realm.attributes[field] = String(realm[field]);
    }
    return { status: 204 };
  }

  private updateProfile(body: Record<string, unknown>): { status: number; body: unknown } {
    if (!Array.isArray(body['attributes'])) {
      throw new HttpError(400, { errorMessage: 'Invalid user profile configuration' });
    }
    const names = (body['attributes'] as { name?: unknown }[]).map((a) => a.name);
    if (!names.includes('username') || !names.includes('email')) {
      throw new HttpError(400, { errorMessage: 'The attributes username and email are required' });
    }
    this.profile = body as typeof this.profile;
    return { status: 200, body: this.profile };
  }

  private copy(alias: string, body: Record<string, unknown>): { status: number } {
    const newName = String(body['newName'] ?? '');
    if (this.flows.has(newName)) {
      throw new HttpError(409, { errorMessage: 'New flow alias name already exists' });
    }
    const from = this.flowByAlias(alias, 404);
    this.copyInto(from, newName, newName, true);
    return { status: 201 };
  }

  private copyInto(from: FakeFlow, newAlias: string, prefix: string, topLevel: boolean): FakeFlow {
    const copy: FakeFlow = {
      ...from,
      id: randomUUID(),
      alias: newAlias,
      topLevel,
      builtIn: false,
      executions: [],
    };
    this.flows.set(newAlias, copy);
    for (const e of from.executions) {
      const sub = e.flowId
        ? this.copyInto(
            this.flowById(e.flowId),
            `${prefix} ${this.flowById(e.flowId).alias}`,
            prefix,
            false,
          )
        : undefined;
      copy.executions.push({ ...e, id: randomUUID(), flowId: sub?.id });
    }
    return copy;
  }

  private addExecution(
    alias: string,
    body: Record<string, unknown>,
    base: string,
  ): { status: number; location: string } {
    const parent = this.flowByAlias(alias, 400);
    if (parent.builtIn) {
      throw new HttpError(400, { error: 'It is illegal to add execution to a built in flow' });
    }
    const provider = String(body['provider'] ?? '');
    const info = this.providers.get(provider);
    if (!info) {
      throw new HttpError(400, { error: `No authentication provider found for id: ${provider}` });
    }
    const last = parent.executions.reduce((max, e) => Math.max(max, e.priority), -1);
    const execution: FakeExecution = {
      id: randomUUID(),
      authenticator: provider,
      flowId: undefined,
      requirement: info.requirementChoices.length === 1 ? info.requirementChoices[0]! : 'DISABLED',
      priority: last + 1,
    };
    parent.executions.push(execution);
    return { status: 201, location: `${base}/authentication/executions/${execution.id}` };
  }

  private findExecution(id: string): { flow: FakeFlow; execution: FakeExecution } {
    for (const flow of this.flows.values()) {
      const execution = flow.executions.find((e) => e.id === id);
      if (execution) {
        return { flow, execution };
      }
    }
    throw new HttpError(404, { error: 'Illegal execution' });
  }

  /**
   * AuthenticationManagementResource.updateExecutions: the representation's `priority` is an int,
   * so a body without one moves the execution to priority 0, the top of its flow.
   */
  private updateExecution(alias: string, body: Record<string, unknown>): { status: number } {
    this.flowByAlias(alias, 404);
    const { execution } = this.findExecution(String(body['id']));
    const requirement = String(body['requirement']);
    if (!['REQUIRED', 'ALTERNATIVE', 'DISABLED', 'CONDITIONAL'].includes(requirement)) {
      throw new HttpError(400, { error: `No enum constant ${requirement}` });
    }
    execution.priority = typeof body['priority'] === 'number' ? body['priority'] : 0;
    execution.requirement = requirement;
    return { status: 204 };
  }

  private move(id: string, direction: -1 | 1): { status: number } {
    const { flow, execution } = this.findExecution(id);
    if (flow.builtIn) {
      throw new HttpError(400, { error: 'It is illegal to modify execution in a built in flow' });
    }
    const ordered = flow.executions.slice().sort((a, b) => a.priority - b.priority);
    const other = ordered[ordered.indexOf(execution) + direction];
    if (other) {
      [execution.priority, other.priority] = [other.priority, execution.priority];
    }
    return { status: 204 };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake on a free loopback port. */
export async function startFakeKeycloak(
  options: FakeKeycloakOptions = {},
): Promise<FakeKeycloakAdmin> {
  return new FakeKeycloakAdmin(options).start();
}
