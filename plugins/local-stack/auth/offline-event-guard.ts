import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { verifiedAuthorizerOf } from './verified-context';

/**
 * serverless-offline builds a function's `requestContext.authorizer` itself, from the request, not from
 * the authentication scheme: it decodes (never verifies) any Authorization header, on every route,
 * authorized or not, and takes the whole context from the `sls-offline-authorizer-override` header or
 * the AUTHORIZER variable when set. No public interface changes that, so this one small workaround wraps
 * its payload 2.0 event builder: the authorizer becomes exactly what the scheme verified for this request
 * (`jwt.claims`, `jwt.scopes`, as AWS passes them), and a request the scheme did not verify (a route
 * without an authorizer) gets none, as on AWS. Written for serverless-offline 14.
 */
export const GUARDED_OFFLINE_MAJOR = 14;

/** The event builder's module, beside offline's entry point (the package does not export it). */
export function offlineEventV2Module(serviceDir: string): string {
  const offlineEntry = createRequire(join(serviceDir, 'package.json')).resolve('serverless-offline');
  return join(dirname(offlineEntry), 'events', 'http', 'lambda-events', 'LambdaProxyIntegrationEventV2.js');
}

/** offline's installed version (its package.json, found from its entry point). */
export function offlineVersion(serviceDir: string): string | undefined {
  try {
    const offlineEntry = createRequire(join(serviceDir, 'package.json')).resolve('serverless-offline');
    const manifest = createRequire(offlineEntry)('../package.json') as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

interface EventV2 {
  requestContext?: { authorizer?: { lambda?: unknown } & Record<string, unknown> };
}

export interface EventBuilderPrototype {
  create(this: unknown): EventV2;
}

const guarded = Symbol.for('intake.offlineEventGuard');

export function isEventBuilderPrototype(prototype: unknown): prototype is EventBuilderPrototype {
  return typeof (prototype as { create?: unknown } | undefined)?.create === 'function';
}

/** Replaces the authorizer of every event the builder creates (see the module comment). Once per prototype. */
export function guardAuthorizerContext(prototype: EventBuilderPrototype): boolean {
  const marked = prototype as EventBuilderPrototype & { [guarded]?: true };
  if (marked[guarded]) return false;
  marked[guarded] = true;
  const originalCreate = prototype.create;
  prototype.create = function create(this: unknown): EventV2 {
    const event = originalCreate.call(this);
    const context = event.requestContext;
    if (context) {
      const verified = verifiedAuthorizerOf(context.authorizer?.lambda);
      if (verified) context.authorizer = { jwt: verified.jwt };
      else delete context.authorizer;
    }
    return event;
  };
  return true;
}
