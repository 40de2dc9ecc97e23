import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JwtAuthorizer } from './authorizer-routes';

/**
 * The algorithms accepted. API Gateway's HTTP API JWT authorizer supports "only RSA-based algorithms";
 * its JWT configuration lists RS256, RS384 and RS512 as the RSA ones. `none` and HMAC (HS*) are refused,
 * which also defeats the alg-confusion attack (an HS256 token keyed with the RSA public key).
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * Seconds of leeway on exp, nbf and iat. AWS documents none ("exp: must be after the current time",
 * "nbf/iat: must be before"); the local issuer and verifier share one clock, so any leeway would only
 * let an expired token through.
 */
export const CLOCK_SKEW_SECONDS = 0;

export type Verdict =
  | { ok: true; claims: JWTPayload; scopes: string[] }
  | { ok: false; status: 401; description: string }
  | { ok: false; status: 403; description: string };

export interface JwtVerifier {
  /**
   * API Gateway's verdict on `token` (the identity source's value, `Bearer ` already stripped; undefined
   * when absent) for a route that needs one of `routeScopes` (none: any valid token).
   */
  verify(token: string | undefined, routeScopes: readonly string[]): Promise<Verdict>;
}

export interface JwtVerifierOptions {
  /** Seconds since the epoch (tests move the clock). */
  now?: () => number;
  /** Bound on each discovery / JWKS fetch. */
  fetchTimeoutMs?: number;
}

const unauthorized = (description: string): Verdict => ({ ok: false, status: 401, description });

/** The token's scopes, from `scope` (space-separated) or `scp` (an array, or a space-separated string). */
export function tokenScopes(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.filter((item): item is string => typeof item === 'string');
  if (typeof raw === 'string') return raw.split(' ').filter((scope) => scope.length > 0);
  return [];
}

/** True when `aud` (a string or a list) holds one of `audiences`, or, only when `aud` is absent, `client_id` does. */
export function audienceMatches(claims: JWTPayload, audiences: readonly string[]): boolean {
  if (claims.aud !== undefined) {
    const listed = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return listed.some((aud) => typeof aud === 'string' && audiences.includes(aud));
  }
  return typeof claims.client_id === 'string' && audiences.includes(claims.client_id);
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet';
    if (error.claim === 'iss') return 'the token does not have a valid issuer';
    if (error.claim === 'iat') return 'the token was issued in the future';
    if (error.reason === 'missing') return `the token has no ${error.claim} claim`;
    return `the token has an invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a key of the issuer';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token has an invalid signature';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return "the issuer's keys could not be read";
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid)
    return 'the token is malformed';
  return 'the token could not be verified';
}

/**
 * A verifier with API Gateway's HTTP API JWT authorizer semantics for one authorizer: the JWKS found
 * through the issuer's discovery document and cached (re-fetched when a token names an unknown `kid`),
 * a `kid` required, RSA algorithms only, `iss` equal to the declared issuerUrl, `aud` (or `client_id`)
 * one of the audiences, `exp`, `nbf` and `iat` against the clock, then the route's scopes (403).
 */
export function createJwtVerifier(authorizer: JwtAuthorizer, options: JwtVerifierOptions = {}): JwtVerifier {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const timeoutDuration = options.fetchTimeoutMs ?? 5_000;
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const discoverKeys = async () => {
    const discoveryUrl = `${authorizer.issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(timeoutDuration) });
    if (!response.ok) throw new errors.JWKSInvalid(`${discoveryUrl} answered ${response.status}`);
    const discovery = (await response.json()) as { jwks_uri?: unknown };
    if (typeof discovery.jwks_uri !== 'string')
      throw new errors.JWKSInvalid(`${discoveryUrl} names no jwks_uri`);
    return createRemoteJWKSet(new URL(discovery.jwks_uri), { timeoutDuration });
  };
  /** The cached key set; a failed discovery is forgotten so the next request tries again. */
  const keys = () => {
    keySet ??= discoverKeys();
    keySet.catch(() => (keySet = undefined));
    return keySet;
  };

  return {
    async verify(token, routeScopes) {
      if (token === undefined || token === '') return unauthorized('the request has no token');
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        return unauthorized('the token is malformed');
      }
      if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) {
        return unauthorized('the token is signed with an algorithm that is not allowed');
      }
      if (typeof header.kid !== 'string' || header.kid === '') return unauthorized('the token has no kid');
      let claims: JWTPayload;
      try {
        const jwks = await keys();
        ({ payload: claims } = await jwtVerify(token, jwks, {
          algorithms: ALLOWED_ALGORITHMS,
          issuer: authorizer.issuerUrl,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(now() * 1000),
        }));
      } catch (error) {
        return unauthorized(describeJoseError(error));
      }
      if (typeof claims.iat === 'number' && claims.iat > now() + CLOCK_SKEW_SECONDS) {
        return unauthorized('the token was issued in the future');
      }
      if (!audienceMatches(claims, authorizer.audiences))
        return unauthorized('the token does not have a valid audience');
      const scopes = tokenScopes(claims);
      if (routeScopes.length > 0 && !routeScopes.some((scope) => scopes.includes(scope))) {
        return { ok: false, status: 403, description: 'the token does not have a required scope' };
      }
      return { ok: true, claims, scopes };
    },
  };
}
