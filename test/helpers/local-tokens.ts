import type { LocalStackState } from '../../plugins/local-stack/state';
import { requestLocalToken, type LocalTokenRequest } from '../../scripts/lib/tokens';

export type { LocalTokenRequest };

/**
 * A token from the running stack's local OIDC issuer (`POST state.auth.tokenEndpoint`), which the
 * stack's JWT authorizer accepts. Throws with the issuer's answer when it refuses the request.
 */
export async function localToken(state: LocalStackState, request: LocalTokenRequest): Promise<string> {
  if (!state.auth) throw new Error('this local stack runs no OIDC issuer (no route has a JWT authorizer)');
  return requestLocalToken(state.auth.tokenEndpoint, request);
}
