import type { LocalStackState } from '../../src/local/state';

export interface LocalTokenRequest {
  sub: string;
  /** Space-separated scopes; the issuer's default is "documents/read documents/write". */
  scope?: string;
  ttlSeconds?: number;
  /** Extra claims (a tenant claim…); the issuer refuses the ones it sets itself (iss, aud, exp…). */
  claims?: Record<string, unknown>;
}

/**
 * A token from the running stack's local OIDC issuer (`POST state.auth.tokenEndpoint`), which the
 * stack's JWT authorizer accepts. Throws with the issuer's answer when it refuses the request.
 */
export async function localToken(state: LocalStackState, request: LocalTokenRequest): Promise<string> {
  if (!state.auth) throw new Error('this local stack runs no OIDC issuer (no route has a JWT authorizer)');
  const response = await fetch(state.auth.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the local issuer answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}
