// Runs every *.test.ts in the workspaces with node's own test runner (Node 20 has no --test globs).
// The end-to-end tests against a real Keycloak (*.e2e.test.ts) run last, one file at a time: each
// starts its own Keycloak, and two JVMs starting at once on two cores slow each other down.
//   --unit       skips *.int.test.ts, the browser tests and the Keycloak tests
//   --keycloak   runs only the Keycloak tests
//   --cluster    runs only the integration and browser tests (*.int.test.ts, *.browser.test.ts) that
//                take their Redis from useRedis(), each file on its own Redis Cluster
//                (TEST_REDIS=cluster: 3 masters, 3 replicas)
//   --all        every test, then the integration tests again on a cluster (what `npm test` runs)
// Other arguments keep only the files whose path contains one of them.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['common', 'reference-api', 'bridge', 'keycloak-theme', 'tests'];
const unitOnly = process.argv.includes('--unit');
const keycloakOnly = process.argv.includes('--keycloak');
const clusterOnly = process.argv.includes('--cluster');
const both = process.argv.includes('--all');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (
      name === 'node_modules' ||
      name === 'dist' ||
      name.startsWith('.') ||
      name === 'artifacts'
    ) {
      continue;
    }
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path, out);
    } else if (name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

const isE2e = (f) => f.endsWith('.e2e.test.ts');
// The cluster load tests measure throughput, spread and a failover: they run after the others,
// one at a time (two cores shared with other test files would skew what they time), with room
// for 10,000 sign-ins on a slow machine.
const isLoad = (f) => /cluster-(spread|failover)\.int\.test\.ts$/.test(f);
// A file that starts its own cluster (or no Redis at all) gains nothing from a second pass; the
// browser tests (the hosted pages, the admin overview, TOTP) take their Redis from the harness too.
const isIntOnRedisHarness = (f) =>
  (f.endsWith('.int.test.ts') || f.endsWith('.browser.test.ts')) &&
  readFileSync(f, 'utf8').includes('useRedis(');
let files = roots.flatMap((root) => walk(root, [])).sort();
if (unitOnly) {
  files = files.filter((f) => !f.endsWith('.int.test.ts') && !f.includes('/browser/') && !isE2e(f));
}
if (keycloakOnly) {
  files = files.filter(isE2e);
}
if (filters.length) {
  files = files.filter((f) => filters.some((x) => f.includes(x)));
}
const clusterFiles = clusterOnly || both ? files.filter(isIntOnRedisHarness) : [];
if (clusterOnly) {
  files = [];
}
if (files.length === 0 && clusterFiles.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// Node's --test-timeout also bounds a whole file when files run in their own processes: a
// Keycloak file (a JVM start, then a dozen browser sign-ins) gets 20 minutes, any other 3.
function run(group, concurrency, timeoutMs, redis = process.env.TEST_REDIS ?? 'server') {
  if (group.length === 0) {
    return 0;
  }
  const result = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      `--test-timeout=${timeoutMs}`,
      '--test-reporter=spec',
      ...group,
    ],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TEST_REDIS: redis } },
  );
  return result.status ?? 1;
}

const first = run(
  files.filter((f) => !isE2e(f) && !isLoad(f)),
  2,
  180_000,
);
const load = run(files.filter(isLoad), 1, 900_000);
const second = run(files.filter(isE2e), 1, 1_200_000);
if (clusterFiles.length) {
  console.log(
    `\n# the integration tests again, each file on a Redis Cluster (${clusterFiles.length} files)`,
  );
}
// Six redis-servers a file: a minute more per file than on one server is still a generous bound.
const third = run(clusterFiles, 2, 240_000, 'cluster');
process.exit(first || load || second || third);
