import { requireVerifiedScope } from '../auth/caller';
import { SCOPES } from '../auth/scopes';
import { RouteNotFoundError } from '../errors';
import { httpHandler, type HttpHandler } from '../middleware/http';
import type { HealthReport } from './health-report';

export interface HealthHttpOptions {
  /** Runs every integration check (checkIntegrations bound to the function's clients and settings). */
  checkIntegrations: () => Promise<HealthReport>;
  /** How long one report is reused; 0 checks on every call. */
  cacheSeconds: number;
  now?: () => number;
}

/**
 * One report at a time, reused for `ttlMs`: concurrent callers share the check in flight, so a burst of
 * calls costs the AWS calls of one report (11 of them), not one per call.
 */
export function cachedReport(
  check: () => Promise<HealthReport>,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<HealthReport & { checkedAt: string }> {
  let cached: { at: number; report: Promise<HealthReport & { checkedAt: string }> } | undefined;
  return () => {
    const at = now();
    if (!cached || at - cached.at >= ttlMs) {
      const report = check().then((result) => ({ ...result, checkedAt: new Date(at).toISOString() }));
      cached = { at, report };
      // A failed check is never reused: the next call checks again.
      report.catch(() => {
        if (cached?.report === report) cached = undefined;
      });
    }
    return cached.report;
  };
}

/**
 * The health function's routes:
 * - `GET /health`: liveness, public, no AWS call: 200 `{"status":"ok"}` whenever the function runs;
 * - `GET /health/integrations/aws`: operators only (the admin scope, checked by the authorizer and again
 *   here): 200 when every integration answers, else 503 naming the failing ones; reused for
 *   `cacheSeconds`.
 */
export function createHealthHttpHandler(options: HealthHttpOptions): HttpHandler {
  const report = cachedReport(options.checkIntegrations, options.cacheSeconds * 1000, options.now);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  const routes: Record<string, HttpHandler> = {
    'GET /health': httpHandler(async () => ({
      statusCode: 200,
      headers,
      body: JSON.stringify({ status: 'ok' }),
    })),
    'GET /health/integrations/aws': httpHandler(
      async () => {
        const result = await report();
        return { statusCode: result.status === 'ok' ? 200 : 503, headers, body: JSON.stringify(result) };
      },
      { authorize: (event) => requireVerifiedScope(event, SCOPES.admin) },
    ),
  };
  const notFound = httpHandler(async () => {
    throw new RouteNotFoundError();
  });
  return (event, context) => (routes[event.routeKey] ?? notFound)(event, context);
}
