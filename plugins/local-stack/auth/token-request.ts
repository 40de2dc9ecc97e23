import { z } from 'zod';

/** What `POST <issuer>/local/token` accepts (docs/local-development.md). */
export interface TokenRequest {
  sub: string;
  /** Space-separated scopes; '' for a token without a `scope` claim. */
  scope: string;
  ttlSeconds: number;
  claims: Record<string, unknown>;
}

export const DEFAULT_TOKEN_SCOPE = 'documents/read documents/write';
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** A week: long enough for any local session, short enough that a leaked local token ages out. */
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
/** Claims the issuer sets itself; a request may not choose them. */
export const RESERVED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scope'] as const;

const tokenRequestSchema = z
  .object({
    sub: z.string().min(1).max(1024),
    scope: z
      .string()
      .max(4096)
      .regex(
        /^([\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*)?$/,
        'space-separated scope names (RFC 6749)',
      )
      .optional(),
    ttlSeconds: z.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS).optional(),
    claims: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Thrown for a request the token endpoint refuses (400); the message says what is wrong. */
export class TokenRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/** Validates a parsed JSON body; throws TokenRequestError naming every problem. */
export function parseTokenRequest(body: unknown): TokenRequest {
  const parsed = tokenRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new TokenRequestError(
      parsed.error.issues
        .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
        .join('; '),
    );
  }
  const claims = parsed.data.claims ?? {};
  const reserved = RESERVED_CLAIMS.filter((name) => name in claims);
  if (reserved.length > 0) {
    throw new TokenRequestError(`claims: ${reserved.join(', ')} are set by the issuer, not the request`);
  }
  return {
    sub: parsed.data.sub,
    scope: parsed.data.scope ?? DEFAULT_TOKEN_SCOPE,
    ttlSeconds: parsed.data.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    claims,
  };
}
