/**
 * Tokens for the API's callers, shared by `npm run token` and `npm run document:upload`: from the running
 * local stack's OIDC issuer (its state file names it), or from a deployed stage's OAuth2 token endpoint
 * with the client-credentials grant.
 */
import { readRunningStackState } from '../../plugins/local-stack/state';

export interface LocalTokenRequest {
  sub: string;
  /** Space-separated scopes; the issuer's default is "documents/read documents/write". */
  scope?: string;
  ttlSeconds?: number;
  /** Extra claims (a tenant claim…); the issuer refuses the ones it sets itself (iss, aud, exp…). */
  claims?: Record<string, unknown>;
}

/** `POST <tokenEndpoint>` of the local issuer; resolves with the access token, throws with the issuer's answer. */
export async function requestLocalToken(tokenEndpoint: string, request: LocalTokenRequest): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the local issuer answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** A token from the running local stack's issuer. */
export async function localStackToken(
  request: LocalTokenRequest,
  env: NodeJS.ProcessEnv,
  serviceDir: string,
): Promise<string> {
  const state = readRunningStackState(env, serviceDir);
  if (!state.auth)
    throw new Error('the running local stack has no OIDC issuer (no route has a JWT authorizer)');
  return requestLocalToken(state.auth.tokenEndpoint, request);
}

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for. */
  scope: string;
}

/**
 * OAuth2 client-credentials grant (RFC 6749 §4.4): HTTP Basic client authentication (id and secret
 * form-encoded first, §2.3.1), a form body with the scope. Resolves with the access token.
 */
export async function clientCredentialsToken(client: ClientCredentials): Promise<string> {
  const basic = Buffer.from(
    `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
  ).toString('base64');
  const response = await fetch(client.tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: client.scope }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${client.tokenUrl} answered ${response.status}: ${text}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token === '')
    throw new Error(`${client.tokenUrl} returned no access_token`);
  return token;
}
