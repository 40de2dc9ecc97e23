import * as z from 'zod/mini';
import { ConfigError } from '../errors';

/** One routing rule: deliveries of `source` with event `type` (each exact or with `*` wildcards) go to `function`. */
export interface WebhookRoute {
  readonly source: string;
  readonly type: string;
  /** Function key in serverless.yml; the deployed name is `<prefix><function>`. */
  readonly function: string;
}

const functionKey = z.string().check(z.regex(/^[A-Za-z0-9-_]{1,64}$/));

const routesSchema = z.object({
  routes: z.array(
    z.object({
      source: z.string().check(z.regex(/^(\*|[a-z0-9*-]+)$/)),
      type: z.string().check(z.minLength(1), z.maxLength(128)),
      function: functionKey,
    }),
  ),
  /** Per routed function: the most instances that may run at once (its reserved concurrency). */
  targets: z.optional(
    z.record(functionKey, z.object({ maxConcurrency: z.number().check(z.int(), z.gte(1), z.lte(1000)) })),
  ),
});

/** A routed function and its concurrency cap (null: it scales with the account's unreserved pool). */
export interface RouteTargetSettings {
  readonly name: string;
  readonly maxConcurrency: number | null;
}

/** Validates a routes document (src/webhooks/webhook-routes.json); throws ConfigError naming the problem. */
export function parseRoutes(document: unknown): readonly WebhookRoute[] {
  const parsed = z.safeParse(routesSchema, document);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigError(`The webhook routes are invalid at: ${where}`, [
      'src/webhooks/webhook-routes.json',
    ]);
  }
  return parsed.data.routes;
}

/**
 * Every function the routes name, in order of first appearance, with its concurrency cap from the document's
 * `targets` (deployed as the function's reserved concurrency by serverless/webhook-routes.js; the local stack
 * runs at most that many instances). Throws ConfigError when `targets` names a function no route names.
 */
export function routeTargetSettings(document: unknown): RouteTargetSettings[] {
  const routes = parseRoutes(document);
  const caps = z.parse(routesSchema, document).targets ?? {};
  const names = [...new Set(routes.map((route) => route.function))];
  const unrouted = Object.keys(caps).filter((name) => !names.includes(name));
  if (unrouted.length > 0)
    throw new ConfigError(`The webhook routes cap functions no route names: ${unrouted.join(', ')}`, [
      'src/webhooks/webhook-routes.json',
    ]);
  return names.map((name) => ({ name, maxConcurrency: caps[name]?.maxConcurrency ?? null }));
}

const patternCache = new Map<string, RegExp>();

/** True when `value` matches `pattern`, where `*` stands for any run of characters (including none). */
export function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
    patternCache.set(pattern, regex);
  }
  return regex.test(value);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The functions a delivery goes to: every route matching (source, type), each function once, in route order. */
export function routeTargets(routes: readonly WebhookRoute[], source: string, type: string): string[] {
  const targets: string[] = [];
  for (const route of routes) {
    if (
      matchesPattern(route.source, source) &&
      matchesPattern(route.type, type) &&
      !targets.includes(route.function)
    ) {
      targets.push(route.function);
    }
  }
  return targets;
}
