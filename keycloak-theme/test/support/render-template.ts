// Renders theme templates with the real FreeMarker (Debian's libfreemarker-java) through the tiny
// Java harness in test/java, compiled on first use into a temp folder and reused while unchanged.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = fileURLToPath(new URL('..', import.meta.url));
const harnessSource = join(testDir, 'java', 'RenderTemplate.java');
/** The stand-in parent theme: template.ftl, parent-theme.properties, pf5-stand-in.css. */
export const stubDir = join(testDir, 'ftl');
/** The theme's login folder, as Keycloak would load it. */
export const loginThemeDir = fileURLToPath(new URL('../../theme/sms-mfa/login/', import.meta.url));
/** Debian's FreeMarker; scripts/ensure-system-deps.sh installs it. */
export const freemarkerJar = '/usr/share/java/freemarker.jar';

/** A message the authenticator attached to the form, as `setError` or `addError(new FormMessage(field, key))`. */
export interface FormMessage {
  key: string;
  args?: (string | number)[];
  field?: string;
  type?: 'error' | 'warning' | 'info' | 'success';
}

/** One page to render: which template, in which locale, with which authenticator attributes. */
export interface RenderJob {
  template?: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  messages?: FormMessage[];
  url?: { resourcesPath?: string; resourcesCommonPath?: string };
}

/** Says why the theme tests cannot run here, or undefined when java, javac and FreeMarker are present. */
export function missingTools(): string | undefined {
  if (!existsSync(freemarkerJar)) {
    return `${freemarkerJar} is missing (apt-get install libfreemarker-java)`;
  }
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'javac is missing (apt-get install default-jdk-headless)';
  }
  return undefined;
}

/** Compiles the harness once per source version; concurrent test files race safely via rename. */
function harnessClasses(): string {
  const stamp = `${Math.floor(statSync(harnessSource).mtimeMs)}-${statSync(harnessSource).size}`;
  const dir = join(tmpdir(), `sms-mfa-theme-harness-${stamp}`);
  if (existsSync(join(dir, 'RenderTemplate.class'))) {
    return dir;
  }
  const work = mkdtempSync(join(tmpdir(), 'sms-mfa-theme-harness-build-'));
  execFileSync('javac', ['-encoding', 'UTF-8', '-cp', freemarkerJar, '-d', work, harnessSource], {
    stdio: 'pipe',
  });
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process won the race: its copy is the same
  }
  return dir;
}

/** Renders every job in one JVM and returns the HTML of each, in order. */
export function renderAll(jobs: readonly RenderJob[]): string[] {
  const work = mkdtempSync(join(tmpdir(), 'sms-mfa-theme-render-'));
  try {
    const withOut = jobs.map((job, i) => ({ ...job, out: join(work, `${i}.html`) }));
    writeFileSync(join(work, 'jobs.json'), JSON.stringify(withOut));
    const classpath = `${harnessClasses()}:${freemarkerJar}`;
    execFileSync(
      'java',
      ['-cp', classpath, 'RenderTemplate', loginThemeDir, stubDir, join(work, 'jobs.json')],
      {
        stdio: 'pipe',
      },
    );
    return withOut.map((job) => readFileSync(job.out, 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Renders one page. */
export function render(job: RenderJob = {}): string {
  return renderAll([job])[0]!;
}

/** Makes sure a folder exists and returns it. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
