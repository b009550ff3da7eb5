// A client-credentials token from the bridge's embedded issuer, for tests that run the bridge as a process.

/** A client of the bridge's issuer: its id and secret. */
export interface IssuerClient {
  readonly id: string;
  readonly secret: string;
}

/** An access token for `client` from the bridge at `bridgeUrl` (realm mfa); throws unless it answers 200. */
export async function clientToken(bridgeUrl: string, client: IssuerClient): Promise<string> {
  const res = await fetch(`${bridgeUrl}/realms/mfa/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) {
    throw new Error(`token request failed with ${res.status}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}
