import { SCOPES } from '../apps/application-input.js';
import { SIGNING_ALG } from './keys.js';

/** Keycloak's endpoint paths under a realm's issuer URL. */
export const ISSUER_PATHS = {
  token: '/protocol/openid-connect/token',
  certs: '/protocol/openid-connect/certs',
  discovery: '/.well-known/openid-configuration',
} as const;

/**
 * The realm's OpenID Provider metadata, in the subset a client-credentials-only issuer can
 * honestly claim: OIDC clients and Keycloak adapters find the token endpoint and keys from it.
 */
export function discoveryDocument(issuerUrl: string) {
  return {
    issuer: issuerUrl,
    token_endpoint: `${issuerUrl}${ISSUER_PATHS.token}`,
    jwks_uri: `${issuerUrl}${ISSUER_PATHS.certs}`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...SCOPES],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'jti',
      'azp',
      'client_id',
      'scope',
      'typ',
    ],
  };
}
