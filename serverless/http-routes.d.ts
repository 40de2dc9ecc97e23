// Types of serverless/http-routes.js for the TypeScript that derives routes from it.

/** One `httpApi` event of a function, with who may call it as the route declares. */
export interface DeclaredHttpRoute {
  functionKey: string;
  /** API Gateway's route key: `GET /documents/{id}`, or `$default`. */
  routeKey: string;
  /** The event as written: `'GET /x'` or `{ method, path, authorizer?, public? }`. */
  event: unknown;
  /** Why anyone may call it, when declared public. */
  public?: unknown;
  /** The authorizer reference as written: a name or `{ name, scopes, … }`. */
  authorizer?: unknown;
}

export function routeKeyOf(httpApi: unknown): string;
export function httpRoutesOf(
  functions: Record<string, { events?: Record<string, unknown>[] } | undefined> | undefined,
): DeclaredHttpRoute[];
export function routeAccessProblems(routes: readonly DeclaredHttpRoute[]): string[];
export function publicRouteKeys(routes: readonly DeclaredHttpRoute[]): string[];
