/*
 * The HTTP API routes, read from the function definitions (each function's `httpApi` events): the one
 * place a route is declared. Whoever needs the list of routes derives it here: the package-time check
 * (plugins/http-route-access), the CI template gate (scripts/lib/template-rules.ts, from the packaged
 * serverless-state.json) and npm start's authorizer (plugins/local-stack/auth/authorizer-routes.ts).
 *
 * Every route says who may call it, on the route itself:
 *   - `authorizer: { name: <provider.httpApi.authorizers key>, scopes: [..] }` (at least one scope), or
 *   - `public: <why anyone may call it>` (liveness, HMAC-signed webhooks, the catch-all 404),
 * and never both. A route that says neither is refused: default deny.
 */

/** The route key API Gateway (and serverless-offline) gives an `httpApi` event: `GET /documents/{id}` or `$default`. */
function routeKeyOf(httpApi) {
  if (typeof httpApi === 'string') return httpApi === '*' ? '$default' : httpApi;
  const { method, path } = httpApi ?? {};
  if (method === '*' && path === '*') return '$default';
  const verb = method === '*' ? 'ANY' : String(method ?? '').toUpperCase();
  return `${verb} ${String(path)}`;
}

/**
 * Every `httpApi` event of `functions` (the framework's `service.functions`) as
 * `{ functionKey, routeKey, event, public?, authorizer? }`: `public` is the declared reason, `authorizer`
 * the declared reference (a name or `{ name, scopes, … }`) as written.
 */
function httpRoutesOf(functions) {
  const routes = [];
  for (const [functionKey, definition] of Object.entries(functions ?? {})) {
    for (const event of definition?.events ?? []) {
      if (!event || !('httpApi' in event)) continue;
      const httpApi = event.httpApi;
      const declared = typeof httpApi === 'object' && httpApi !== null ? httpApi : {};
      routes.push({
        functionKey,
        routeKey: routeKeyOf(httpApi),
        event: httpApi,
        public: declared.public,
        authorizer: declared.authorizer ?? undefined,
      });
    }
  }
  return routes;
}

/** What is wrong with how each route declares its callers (empty: every route says who may call it). */
function routeAccessProblems(routes) {
  const problems = [];
  for (const route of routes) {
    const where = `function ${route.functionKey}, route ${route.routeKey}`;
    const isPublic = route.public !== undefined;
    if (isPublic && (typeof route.public !== 'string' || route.public.trim() === ''))
      problems.push(`${where}: \`public\` must say why anyone may call the route`);
    if (isPublic && route.authorizer !== undefined)
      problems.push(`${where}: declares both \`public\` and an authorizer; keep one`);
    if (isPublic || route.authorizer !== undefined) {
      if (!isPublic) {
        const scopes = typeof route.authorizer === 'object' ? route.authorizer.scopes : undefined;
        if (!Array.isArray(scopes) || scopes.length === 0)
          problems.push(`${where}: the authorizer names no scopes; a protected route needs at least one`);
      }
      continue;
    }
    problems.push(
      `${where}: no authorizer and not declared \`public: <why>\`; every route says who may call it`,
    );
  }
  return problems;
}

/** The route keys declared public. */
function publicRouteKeys(routes) {
  return routes.filter((route) => route.public !== undefined).map((route) => route.routeKey);
}

module.exports = { routeKeyOf, httpRoutesOf, routeAccessProblems, publicRouteKeys };
