import { verifiedAuthorizerOf } from './verified-context';

/**
 * serverless-offline builds a function's `requestContext.authorizer` itself, from the request, not from
 * the authentication scheme: it decodes (never verifies) any Authorization header, on every route,
 * authorized or not, and takes the whole context from the `sls-offline-authorizer-override` header or
 * the AUTHORIZER variable when set. No public interface changes that, so upstream-internals.ts wraps its
 * payload 2.0 event builder with `verifiedAuthorizerOnly`: the authorizer becomes exactly what the scheme
 * verified for this request (`jwt.claims`, `jwt.scopes`, as AWS passes them), and a request the scheme
 * did not verify (a route without an authorizer) gets none, as on AWS.
 */
interface EventV2 {
  requestContext?: { authorizer?: { lambda?: unknown } & Record<string, unknown> };
}

export interface EventBuilderPrototype {
  create(this: unknown): EventV2;
}

/** A `create` that returns the original's event with only the verified authorizer (see the module comment). */
export function verifiedAuthorizerOnly(originalCreate: EventBuilderPrototype['create']) {
  return function create(this: unknown): EventV2 {
    const event = originalCreate.call(this);
    const context = event.requestContext;
    if (context) {
      const verified = verifiedAuthorizerOf(context.authorizer?.lambda);
      if (verified) context.authorizer = { jwt: verified.jwt };
      else delete context.authorizer;
    }
    return event;
  };
}
