// What `npm start` checks before it starts anything: the reference API, its worker and the bridge
// all get the same environment, so a setting that makes one of them refuse the others' calls is
// caught here, in one plain line, rather than as a 502 on every send.

/** The environment `npm start` passes to every process, by variable name. */
export type StartEnv = Readonly<Record<string, string | undefined>>;

const isSet = (env: StartEnv, name: string) => Boolean(env[name]?.trim());
// Secrets may come from files (NAME_FILE), as every service's config reads them.
const secretSet = (env: StartEnv, name: string) => isSet(env, name) || isSet(env, `${name}_FILE`);

/**
 * Why `npm start` must not start with `env`, as one line to print, or null when it may.
 * With OIDC_ISSUER_URL and no REFERENCE_API_KEY the reference API requires OIDC tokens, so the
 * bridge needs a client of that issuer to get them (REFERENCE_API_CLIENT_ID and _SECRET).
 */
export function checkStartEnv(env: StartEnv): string | null {
  if (!isSet(env, 'OIDC_ISSUER_URL') || secretSet(env, 'REFERENCE_API_KEY')) {
    return null;
  }
  if (isSet(env, 'REFERENCE_API_CLIENT_ID') && secretSet(env, 'REFERENCE_API_CLIENT_SECRET')) {
    return null;
  }
  return (
    'OIDC_ISSUER_URL makes the reference API require tokens with scope messages:send: ' +
    'set REFERENCE_API_CLIENT_ID and REFERENCE_API_CLIENT_SECRET (a confidential client of that ' +
    'realm with the messages:send scope), or REFERENCE_API_KEY'
  );
}
