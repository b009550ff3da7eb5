import { readFileSync } from 'node:fs';

/**
 * Returns a copy of `env` in which each `NAME_FILE` (for the names given) is replaced by `NAME`
 * holding the file's trimmed content: secrets from Docker/Kubernetes secret files.
 * A variable set both ways is a configuration error the caller reports.
 */
export function resolveFileSecrets(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
): { env: Record<string, string | undefined>; problems: string[] } {
  const out: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (!file) {
      continue;
    }
    if (env[name]) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return { env: out, problems };
}
