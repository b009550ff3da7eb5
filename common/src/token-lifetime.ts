/**
 * How long to use an OAuth access token that lives `expiresInSeconds`: up to a minute less (a
 * tenth of its life for short ones), so that no call carries a token about to expire; at least 1 s.
 */
export function tokenUseSeconds(expiresInSeconds: number): number {
  const margin = Math.min(60, Math.ceil(expiresInSeconds * 0.1));
  return Math.max(1, Math.floor(expiresInSeconds - margin));
}
