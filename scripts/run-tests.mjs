// Runs every *.test.ts in the workspaces with node's own test runner (Node 20 has no --test globs).
// The end-to-end tests against a real Keycloak (*.e2e.test.ts) run last, one file at a time: each
// starts its own Keycloak, and two JVMs starting at once on two cores slow each other down.
//   --unit       skips *.int.test.ts, the browser tests and the Keycloak tests
//   --keycloak   runs only the Keycloak tests
// Other arguments keep only the files whose path contains one of them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['common', 'reference-api', 'bridge', 'keycloak-theme', 'tests'];
const unitOnly = process.argv.includes('--unit');
const keycloakOnly = process.argv.includes('--keycloak');
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
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// Node's --test-timeout also bounds a whole file when files run in their own processes: a
// Keycloak file (a JVM start, then a dozen browser sign-ins) gets 20 minutes, any other 3.
function run(group, concurrency, timeoutMs) {
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
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  return result.status ?? 1;
}

const first = run(
  files.filter((f) => !isE2e(f)),
  2,
  180_000,
);
const second = run(files.filter(isE2e), 1, 1_200_000);
process.exit(first || second);
