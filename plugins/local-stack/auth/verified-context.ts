import type { JWTPayload } from 'jose';

/** What the authorizer verified for one request, as API Gateway hands it to the function. */
export interface VerifiedAuthorizer {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

/** Contexts the scheme created; only these become a function's authorizer (nothing a client can forge). */
const verified = new WeakMap<object, VerifiedAuthorizer>();

/**
 * A claim value as API Gateway's HTTP API passes it: a string; numbers and booleans as text; a list as
 * `[a b]` (what src/auth/caller.ts expects of `scp`); an object as JSON.
 */
export function apiGatewayClaimValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(apiGatewayClaimValue).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The credentials context of a verified request (a fresh object, remembered here). */
export function markVerified(claims: JWTPayload, scopes: string[]): object {
  const context = {};
  verified.set(context, {
    jwt: {
      claims: Object.fromEntries(
        Object.entries(claims).map(([name, value]) => [name, apiGatewayClaimValue(value)]),
      ),
      scopes: scopes.length > 0 ? scopes : null,
    },
  });
  return context;
}

/** The verified authorizer behind a context `markVerified` created; undefined for any other value. */
export function verifiedAuthorizerOf(context: unknown): VerifiedAuthorizer | undefined {
  return typeof context === 'object' && context !== null ? verified.get(context) : undefined;
}
