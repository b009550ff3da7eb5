// No Docker engine runs here, so docker/ is checked statically: compose.yaml against the Compose
// Specification's JSON schema (the copy dclint ships), the Dockerfiles against the repository they
// copy from, and realm-import.json against what Keycloak's import and the installer need.
import { ROLES } from '@sms-mfa/reference-api/service';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  DEFAULT_FLOW_ALIAS,
  DEFAULT_PROVIDER_ID,
  desiredAttributes,
  PHONE_PATTERN,
} from '@sms-mfa/bridge/keycloak/install/installer';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKER = join(ROOT, 'docker');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string })[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  configs?: { source: string; target: string }[];
  profiles?: string[];
}
const compose = parse(read('docker/compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  configs?: Record<string, { content?: string }>;
};
const services = compose.services;
/** A value as `docker compose` interpolates it with nothing set in the environment: `${X:-d}` → d. */
const interpolated = (value: string) =>
  value.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_m, d: string | undefined) => d ?? '');
/** A service's environment after interpolation. */
const env = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(svc(name).environment ?? {}).map(([k, v]) => [k, interpolated(String(v))]),
  );
const svc = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `service ${name} exists`);
  return s;
};

/** The Compose Specification schema as dclint ships it (draft-07, kept current with compose-spec). */
function composeSchema(): Record<string, unknown> {
  const pkg = createRequire(import.meta.url).resolve('dclint/package.json');
  const schema = JSON.parse(
    readFileSync(join(dirname(pkg), 'schemas/compose.schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  assert.equal(schema['title'], 'Compose Specification');
  // Ajv knows draft-07 under its http:// id; the file names the https:// one.
  delete schema['$schema'];
  return schema;
}

/** Environment variable names a service's config.ts reads (its zod schema's keys), with the Redis ones both share. */
function envNames(configFile: string): Set<string> {
  const names = (file: string) =>
    [...read(file).matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  return new Set([...names(configFile), ...names('common/src/redis-client.ts')]);
}

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(composeSchema());
    const valid = validate(parse(read('docker/compose.yaml')));
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  it('fails the schema on a malformed service, so the check has teeth', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(composeSchema());
    assert.equal(
      validate({
        services: { redis: { image: 'redis', ports: [{ nonsense: true }], restart: 42 } },
      }),
      false,
    );
  });

  it('runs Redis 7 with the append-only file on a named volume', () => {
    const redis = svc('redis');
    assert.equal(redis.image, 'redis:7-alpine');
    assert.deepEqual(redis.command?.slice(0, 3), ['redis-server', '--appendonly', 'yes']);
    assert.ok(redis.volumes?.includes('redis-data:/data') && 'redis-data' in compose.volumes);
    assert.ok(redis.healthcheck?.test?.includes('ping'));
  });

  it('runs the reference API and its worker from one image, by role, with the outbox provider by default', () => {
    const api = svc('reference-api');
    const worker = svc('worker');
    assert.equal(api.image, worker.image);
    assert.deepEqual(api.build, worker.build);
    assert.equal(api.build?.dockerfile, 'docker/Dockerfile.reference-api');
    assert.deepEqual(api.command, ['--role', 'api']);
    assert.deepEqual(worker.command, ['--role', 'worker']);
    assert.equal(env('reference-api')['PROVIDERS'], 'outbox');
    assert.equal(env('reference-api')['REFERENCE_API_HOST'], '0.0.0.0');
    assert.ok(
      (env('reference-api')['REFERENCE_API_KEY'] ?? '').length >= 16,
      'a non-loopback API needs a key of 16+ characters',
    );
    assert.equal(env('reference-api')['REDIS_URL'], 'redis://redis:6379');
    assert.deepEqual(
      api.volumes,
      worker.volumes,
      'api and worker share the data directory (message key)',
    );
    assert.equal(worker.depends_on?.['reference-api']?.condition, 'service_healthy');
    for (const service of [api, worker]) {
      assert.ok(
        (ROLES as readonly string[]).includes(String(service.command?.[1])),
        'a role start.ts knows',
      );
    }
  });

  it('points the bridge at Redis and the reference API, with the demo application Keycloak signs in as', () => {
    const bridge = env('bridge');
    assert.equal(bridge['BRIDGE_HOST'], '0.0.0.0');
    assert.equal(bridge['REDIS_URL'], 'redis://redis:6379');
    assert.equal(bridge['REFERENCE_API_URL'], 'http://reference-api:3412');
    assert.equal(bridge['REFERENCE_API_KEY'], env('reference-api')['REFERENCE_API_KEY']);
    assert.match(bridge['BRIDGE_DEMO_CLIENT_ID'] ?? '', /^[A-Za-z0-9._-]{3,64}$/);
    assert.ok((bridge['BRIDGE_DEMO_CLIENT_SECRET'] ?? '').length >= 8);
    assert.equal(bridge['BRIDGE_PUBLIC_URL'], 'http://localhost:3000');
  });

  it('sets only environment variables the services read', () => {
    const apiEnv = envNames('reference-api/src/config.ts');
    const bridgeEnv = envNames('bridge/src/config.ts');
    for (const name of ['reference-api', 'worker'] as const) {
      for (const key of Object.keys(svc(name).environment ?? {})) {
        assert.ok(
          apiEnv.has(key),
          `${name}: ${key} is read by reference-api/src/config.ts (or common/src/redis-client.ts)`,
        );
      }
    }
    for (const key of Object.keys(svc('bridge').environment ?? {})) {
      assert.ok(
        bridgeEnv.has(key),
        `bridge: ${key} is read by bridge/src/config.ts (or common/src/redis-client.ts)`,
      );
    }
  });

  it('starts Keycloak 26 in dev mode with scripts, the realm import, the provider jar and the bootstrap admin', () => {
    const kc = svc('keycloak');
    assert.match(kc.image ?? '', /^quay\.io\/keycloak\/keycloak:26(\.\d+)*$/);
    assert.deepEqual(kc.command, [
      'start-dev',
      '--features=scripts',
      '--import-realm',
      '--vault=file',
      '--vault-dir=/opt/keycloak/vault',
    ]);
    assert.ok(
      env('keycloak')['KC_BOOTSTRAP_ADMIN_USERNAME'] &&
        env('keycloak')['KC_BOOTSTRAP_ADMIN_PASSWORD'],
    );
    const mounts = (kc.volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : v,
    );
    const target = (source: string) => mounts.find((m) => m.source === source)?.target;
    assert.equal(
      target('../bridge/keycloak/dist/sms-mfa-authenticator.jar'),
      '/opt/keycloak/providers/sms-mfa-authenticator.jar',
    );
    assert.equal(mounts.filter((m) => m.target.startsWith('/opt/keycloak/providers/')).length, 1);
    assert.match(
      target('./realm-import.json') ?? '',
      /^\/opt\/keycloak\/data\/import\/[^/]+\.json$/,
    );
    const jar = read('bridge/keycloak/authenticator-jar.ts');
    assert.ok(
      jar.includes("'sms-mfa-authenticator.jar'") && jar.includes('themeEntries'),
      'that jar is built there and carries the login theme',
    );
    assert.ok(
      jar.includes("SCRIPT_FILE = 'sms-authenticator.js'"),
      `its provider id is ${DEFAULT_PROVIDER_ID}`,
    );
  });

  it('publishes 8080, 3000 and 3412 (and 9090 and 3001 for observability) on loopback only, and health-checks every long-running service', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    assert.deepEqual(published.sort(), [
      '127.0.0.1:3000:3000',
      '127.0.0.1:3001:3000',
      '127.0.0.1:3412:3412',
      '127.0.0.1:8080:8080',
      '127.0.0.1:9090:9090',
    ]);
    for (const [name, s] of Object.entries(services)) {
      if (name === 'worker') {
        assert.equal(s.healthcheck?.disable, true);
      } else {
        assert.ok(s.healthcheck?.test?.length, `${name} has a healthcheck`);
      }
    }
  });
});

describe('the observability profile of docker/compose.yaml', () => {
  interface ScrapeConfig {
    job_name: string;
    static_configs: { targets: string[] }[];
  }
  const prometheus = parse(read('docker/prometheus/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };
  /** Where a bind mount of `service` whose source is `source` (relative to docker/) lands. */
  const mountTarget = (service: string, source: string) =>
    (svc(service).volumes ?? [])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.split(':'))
      .find(([from]) => from === source)?.[1];

  it('runs Prometheus 2 and Grafana 11+ from pinned images, only with --profile observability', () => {
    assert.match(svc('prometheus').image ?? '', /^prom\/prometheus:v2\.\d+\.\d+$/);
    assert.match(svc('grafana').image ?? '', /^grafana\/grafana:(1[1-9]|[2-9]\d)\.\d+\.\d+$/);
    for (const [name, s] of Object.entries(services)) {
      const expected = ['prometheus', 'grafana'].includes(name) ? ['observability'] : undefined;
      assert.deepEqual(s.profiles, expected, `${name}'s profiles`);
    }
  });

  it('mounts what it reads from docker/, and every mounted path exists', () => {
    assert.equal(mountTarget('prometheus', './prometheus'), '/etc/prometheus');
    assert.ok(
      svc('prometheus').command?.includes('--config.file=/etc/prometheus/prometheus.yml'),
      'Prometheus reads the mounted prometheus.yml',
    );
    for (const name of ['prometheus', 'grafana']) {
      for (const v of svc(name).volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : v.source;
        if (source.startsWith('.')) {
          assert.ok(existsSync(join(DOCKER, source)), `${name}: ${source} exists`);
        } else {
          assert.ok(source in compose.volumes, `${name}: ${source} is a named volume`);
        }
      }
    }
    for (const file of prometheus.rule_files) {
      assert.ok(existsSync(join(DOCKER, 'prometheus', file)), `rule file ${file} exists`);
    }
  });

  it('scrapes every service with an HTTP port at the port it listens on, each as its own job', () => {
    const targets = Object.fromEntries(
      prometheus.scrape_configs.map((c) => [
        c.job_name,
        c.static_configs.flatMap((s) => s.targets),
      ]),
    );
    assert.deepEqual(targets, {
      bridge: [`bridge:${env('bridge')['BRIDGE_PORT']}`],
      'reference-api': [`reference-api:${env('reference-api')['REFERENCE_API_PORT']}`],
    });
    const alerts = read('docker/prometheus/alerts.yaml');
    for (const job of Object.keys(targets)) {
      assert.ok(alerts.includes(job), `the target-down alert names the job ${job}`);
    }
  });

  it('gives Grafana the compose Prometheus as its data source and the mounted dashboard, with only GF_ settings', () => {
    const datasources = parse(read('docker/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const [source] = datasources.datasources;
    assert.equal(source?.type, 'prometheus');
    assert.equal(source.url, 'http://prometheus:9090');
    assert.ok(svc('prometheus').ports?.some((p) => p.endsWith(':9090')));
    assert.equal(mountTarget('grafana', './grafana/provisioning'), '/etc/grafana/provisioning');
    const providers = parse(read('docker/grafana/provisioning/dashboards/sms-mfa.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const dashboards = mountTarget('grafana', './grafana/dashboards');
    assert.equal(providers.providers[0]?.options.path, dashboards);
    assert.equal(
      env('grafana')['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'],
      `${dashboards}/sms-mfa.json`,
    );
    const dashboard = JSON.parse(read('docker/grafana/dashboards/sms-mfa.json')) as {
      panels: { datasource?: { uid: string } }[];
    };
    for (const panel of dashboard.panels) {
      assert.ok(!panel.datasource || panel.datasource.uid === source.uid, 'panels use it by uid');
    }
    assert.deepEqual(
      Object.keys(svc('grafana').environment ?? {}).filter((k) => !k.startsWith('GF_')),
      [],
    );
    assert.ok(env('grafana')['GF_SECURITY_ADMIN_PASSWORD'], 'an admin password is set');
  });
});

describe('docker/Dockerfile.*', () => {
  for (const [file, workspace] of [
    ['Dockerfile.reference-api', 'reference-api'],
    ['Dockerfile.bridge', 'bridge'],
  ] as const) {
    const text = readFileSync(join(DOCKER, file), 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    const final = stages.at(-1) ?? '';

    it(`${file} builds in stages and runs compiled code as the unprivileged node user`, () => {
      assert.ok(stages.length >= 3, 'build, deps and runtime stages');
      assert.match(text, /^ARG NODE_IMAGE=node:20-(slim|alpine)$/m);
      assert.match(final, /^USER node$/m);
      assert.match(text, /npm ci --omit=dev/);
      assert.match(
        text,
        new RegExp(
          `npm run build -w @sms-mfa/common( -w @sms-mfa/${workspace}| && npx tsc -p ${workspace}/tsconfig.build.json)`,
        ),
      );
      assert.match(final, new RegExp(`"${workspace}/dist/start\\.js"`));
      assert.ok(
        existsSync(join(ROOT, workspace, 'src/start.ts')),
        'dist/start.js comes from src/start.ts',
      );
      const build = JSON.parse(read(`${workspace}/tsconfig.build.json`)) as {
        compilerOptions: { outDir: string; rootDir: string };
      };
      assert.deepEqual(
        [build.compilerOptions.rootDir, build.compilerOptions.outDir],
        ['src', 'dist'],
      );
      assert.match(final, /^HEALTHCHECK /m);
    });

    it(`${file} copies only paths that exist in the repository`, () => {
      const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
        m[1]!.split(/\s+/),
      );
      assert.ok(sources.length > 0);
      for (const source of sources) {
        assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
      }
      const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
      for (const w of workspaces) {
        assert.ok(
          text.includes(`COPY ${w}/package.json ${w}/`),
          `${w}/package.json is copied for npm ci`,
        );
      }
    });
  }
});

interface Execution {
  authenticator?: string;
  authenticatorFlow: boolean;
  requirement: string;
  priority: number;
  flowAlias?: string;
}
interface Flow {
  alias: string;
  topLevel: boolean;
  providerId: string;
  authenticationExecutions: Execution[];
}
interface Realm {
  realm: string;
  enabled: boolean;
  loginTheme: string;
  browserFlow: string;
  attributes: Record<string, string>;
  authenticatorConfig?: unknown[];
  authenticationFlows: Flow[];
  clients: {
    clientId: string;
    publicClient: boolean;
    redirectUris: string[];
    standardFlowEnabled: boolean;
  }[];
  users: {
    username: string;
    enabled: boolean;
    attributes: Record<string, string[]>;
    credentials: { type: string; value: string; temporary: boolean }[];
  }[];
  components: Record<string, { providerId: string; config: Record<string, string[]> }[]>;
}

describe('docker/realm-import.json', () => {
  const realm = JSON.parse(read('docker/realm-import.json')) as Realm;
  const flow = (alias: string): Flow => {
    const f = realm.authenticationFlows.find((x) => x.alias === alias);
    assert.ok(f, `flow "${alias}" is in the import`);
    return f;
  };
  const ordered = (f: Flow) =>
    f.authenticationExecutions.slice().sort((a, b) => a.priority - b.priority);

  it('binds a copy of the browser flow with the SMS script step REQUIRED right after the password form', () => {
    assert.equal(realm.browserFlow, DEFAULT_FLOW_ALIAS);
    const top = flow(realm.browserFlow);
    assert.ok(top.topLevel);
    const forms = ordered(top).find((e) => e.authenticatorFlow && e.requirement === 'ALTERNATIVE');
    const children = ordered(flow(forms?.flowAlias ?? ''));
    const pw = children.findIndex((e) => e.authenticator === 'auth-username-password-form');
    assert.ok(pw >= 0);
    assert.deepEqual(children[pw + 1], {
      authenticator: DEFAULT_PROVIDER_ID,
      authenticatorFlow: false,
      requirement: 'REQUIRED',
      priority: children[pw + 1]?.priority,
      userSetupAllowed: false,
    });
  });

  it("holds every flow Keycloak's import looks up, and every subflow reference resolves", () => {
    // importAuthenticationFlows: with flows given, browser, registration and direct grant are looked up, not created.
    for (const alias of ['browser', 'registration', 'direct grant']) {
      assert.ok(flow(alias).topLevel);
    }
    assert.deepEqual(
      realm.authenticatorConfig,
      [],
      'the import iterates authenticatorConfig whenever flows are given',
    );
    for (const f of realm.authenticationFlows) {
      for (const e of f.authenticationExecutions) {
        if (e.authenticatorFlow) {
          flow(e.flowAlias ?? '');
        }
      }
    }
    assert.equal(flow('registration form').providerId, 'form-flow');
  });

  it('uses the sms-mfa login theme and has a public demo client with local redirect URIs', () => {
    assert.equal(realm.realm, 'sms-demo');
    assert.equal(realm.enabled, true);
    assert.equal(realm.loginTheme, 'sms-mfa');
    const client = realm.clients.find((c) => c.clientId === 'sms-demo-app');
    assert.ok(client?.publicClient && client.standardFlowEnabled);
    assert.ok(
      client.redirectUris.some((u) =>
        u.startsWith('http://localhost:8080/realms/sms-demo/account/'),
      ),
    );
  });

  it('has the demo user jdoe / demo with a mobile_number the profile accepts', () => {
    const jdoe = realm.users.find((u) => u.username === 'jdoe');
    assert.ok(jdoe?.enabled);
    assert.deepEqual(jdoe.attributes['mobile_number'], ['+5511966191717']);
    assert.deepEqual(jdoe.credentials, [{ type: 'password', value: 'demo', temporary: false }]);
    assert.match('+5511966191717', new RegExp(PHONE_PATTERN));
  });

  it('declares mobile_number in the user profile, keeping the four built-in attributes', () => {
    const [provider] = realm.components['org.keycloak.userprofile.UserProfileProvider'] ?? [];
    assert.equal(provider?.providerId, 'declarative-user-profile');
    const config = JSON.parse(provider.config['kc.user.profile.config']?.[0] ?? '{}') as {
      attributes: {
        name: string;
        validations?: { pattern?: { pattern: string } };
        permissions?: unknown;
      }[];
    };
    assert.deepEqual(
      config.attributes.map((a) => a.name),
      ['username', 'email', 'firstName', 'lastName', 'mobile_number'],
    );
    const phone = config.attributes[4];
    assert.equal(phone?.validations?.pattern?.pattern, PHONE_PATTERN);
    assert.deepEqual(phone?.permissions, { view: ['admin', 'user'], edit: ['admin', 'user'] });
  });

  it('sets the realm attributes the script reads, pointing at the bridge with the compose demo application', () => {
    const bridge = env('bridge');
    assert.deepEqual(realm.attributes, {
      smsMfaBridgeUrl: 'http://bridge:3000',
      smsMfaClientId: bridge['BRIDGE_DEMO_CLIENT_ID'],
      smsMfaClientSecret: '${vault.smsMfaClientSecret}',
      smsMfaTokenRealm: 'mfa',
      smsMfaPhoneAttribute: 'mobile_number',
      smsMfaMissingPhone: 'fail',
    });
    // The secret itself is in Keycloak's file vault, as the compose file mounts it.
    const mount = svc('keycloak').configs?.find(
      (c) => c.target === '/opt/keycloak/vault/sms-demo_smsMfaClientSecret',
    );
    assert.ok(mount, 'the vault entry <realm>_<key> is mounted');
    assert.equal(
      interpolated(compose.configs?.[mount.source]?.content ?? ''),
      bridge['BRIDGE_DEMO_CLIENT_SECRET'],
    );
    const installerKeys = Object.keys(
      desiredAttributes({
        realm: 'r',
        flowAlias: 'f',
        providerId: 'p',
        bridgeUrl: 'u',
        bridgeClientId: 'i',
        bridgeClientSecret: 's',
        tokenRealm: 'mfa',
        tokenUrl: undefined,
        phoneAttribute: 'mobile_number',
        missingPhone: 'fail',
      }),
    );
    assert.deepEqual(
      Object.keys(realm.attributes).sort(),
      installerKeys.sort(),
      'the import and the installer set the same attributes',
    );
  });
});
