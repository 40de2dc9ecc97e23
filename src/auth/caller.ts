import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from '../errors';

/** Who is calling, from the token that the route's JWT authorizer verified. */
export interface Caller {
  /** The token's `sub`. */
  subject: string;
  /** What the caller's documents belong to: the value of the owner claim (`sub` unless configured). */
  owner: string;
  /** The token's scopes (`scope` or `scp`). */
  scopes: ReadonlySet<string>;
}

/** The longest owner value accepted, in UTF-8 bytes: it is part of every object key (1024 bytes at most). */
export const MAX_OWNER_BYTES = 256;

type Claims = Record<string, unknown>;

// In a `u` regex a surrogate pair is one code point: only lone (ill-formed) surrogates are \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/** The part of an API Gateway v2 event that carries the authorizer's verdict. */
export type AuthorizedEvent = Pick<APIGatewayProxyEventV2, 'requestContext'>;

/**
 * The claims that API Gateway's JWT authorizer verified and passed in `requestContext.authorizer.jwt.claims`
 * (undefined when the route has no authorizer). Never the Authorization header: that one is unverified.
 */
export function verifiedClaimsOf(event: AuthorizedEvent): Claims | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } } | undefined;
  const claims = context?.authorizer?.jwt?.claims;
  return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
    ? (claims as Claims)
    : undefined;
}

/**
 * The scopes of a token: `scope` is space-separated; `scp` is an array, which API Gateway passes as the
 * string `[a b]`.
 */
export function scopesOf(claims: Claims): Set<string> {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return new Set(raw.filter((item): item is string => typeof item === 'string'));
  if (typeof raw !== 'string') return new Set();
  const listed = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  return new Set(listed.split(/\s+/).filter((scope) => scope.length > 0));
}

/**
 * The caller of an authorized route. Defence in depth behind the authorizer: a request that reaches the
 * function without verified claims (a route deployed without its authorizer) is refused with 401, never
 * served anonymously; a token without the owner claim (or one too long to key objects by) gets 403.
 */
export function callerOf(event: AuthorizedEvent, options: { ownerClaim: string }): Caller {
  const claims = verifiedClaimsOf(event);
  const subject = claims?.sub;
  if (!claims || typeof subject !== 'string' || subject.length === 0) {
    throw new UnauthorizedError('The request carries no verified token');
  }
  const owner = claims[options.ownerClaim];
  if (typeof owner !== 'string' || owner.length === 0) {
    throw new ForbiddenError(`The token has no ${options.ownerClaim} claim, which owns documents here`);
  }
  // A lone surrogate has no UTF-8 form: '\ud800' and '\ufffd' would share one key segment.
  if (LONE_SURROGATE.test(owner)) {
    throw new ForbiddenError(`The token's ${options.ownerClaim} claim is not well-formed Unicode`);
  }
  if (Buffer.byteLength(owner, 'utf8') > MAX_OWNER_BYTES) {
    throw new ForbiddenError(
      `The token's ${options.ownerClaim} claim is longer than ${MAX_OWNER_BYTES} bytes`,
    );
  }
  return { subject, owner, scopes: scopesOf(claims) };
}

/** Throws ForbiddenError (403) unless `scopes` holds `scope`; the authorizer checks it first. */
export function requireScope(scopes: ReadonlySet<string>, scope: string): void {
  if (!scopes.has(scope)) throw new ForbiddenError(`The token lacks the ${scope} scope`);
}

/**
 * For routes that need a scope but no owner (operator routes): 401 without verified claims, 403 without
 * the scope.
 */
export function requireVerifiedScope(event: AuthorizedEvent, scope: string): void {
  const claims = verifiedClaimsOf(event);
  if (!claims) throw new UnauthorizedError('The request carries no verified token');
  requireScope(scopesOf(claims), scope);
}
