import { routeKeyOfOfflineRoute, type HttpApiRoute } from './authorizer-routes';
import { createJwtVerifier, type JwtVerifier, type Verdict } from './jwt-verifier';
import { markVerified } from './verified-context';

/**
 * serverless-offline's header (and env variable AUTHORIZER) that replaces the whole authorizer context
 * handed to the function (lambda-events/LambdaProxyIntegrationEventV2.js): with it, any client could
 * claim to be anyone. The local stack refuses requests that carry it.
 */
export const AUTHORIZER_OVERRIDE_HEADER = 'sls-offline-authorizer-override';

/** The parts of a hapi request the scheme reads. */
export interface HapiRequestLike {
  raw: { req: { rawHeaders: string[] } };
}

/** The parts of hapi's response toolkit the scheme uses. */
export interface HapiResponse {
  code(status: number): HapiResponse;
  header(name: string, value: string): HapiResponse;
  takeover(): HapiResponse;
}
export interface HapiToolkitLike {
  authenticated(data: { credentials: Record<string, unknown> }): unknown;
  response(payload: unknown): HapiResponse;
}

/** What serverless-offline expects back from a `customAuthenticationProvider` for one route. */
export interface OfflineAuthStrategy {
  name: string;
  scheme: string;
  getAuthenticateFunction(): { authenticate(request: HapiRequestLike, h: HapiToolkitLike): Promise<unknown> };
}

/** Every value of header `name` (lower case), from the raw headers: Node keeps only one of some. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name) values.push(rawHeaders[index + 1]!);
  }
  return values;
}

/** The token in an identity source value: the value itself, or what follows `Bearer `. */
export function tokenOf(value: string): string {
  return value.startsWith('Bearer ') ? value.slice('Bearer '.length) : value;
}

/** API Gateway's `www-authenticate` for a refusal (the shape its troubleshooting guide shows). */
export function wwwAuthenticate(
  verdict: Exclude<Verdict, { ok: true }>,
  routeScopes: readonly string[],
): string {
  const error = verdict.status === 403 ? 'insufficient_scope' : 'invalid_token';
  return `Bearer scope="${routeScopes.join(' ')}" error="${error}" error_description="${verdict.description}"`;
}

/** The routes and verifiers of the running plugin; set at `initialize`, read when offline builds its routes. */
let active: { routes: Map<string, HttpApiRoute>; verifiers: Map<string, JwtVerifier> } | undefined;

const routeId = (functionKey: string, routeKey: string) => `${functionKey} ${routeKey}`;

/** Makes `routes` (read from serverless.yml) the ones `authenticationProvider` enforces. */
export function enforceRoutes(routes: readonly HttpApiRoute[]): void {
  const verifiers = new Map<string, JwtVerifier>();
  for (const route of routes) {
    const jwt = route.authorizer?.jwt;
    if (jwt && !verifiers.has(jwt.name)) verifiers.set(jwt.name, createJwtVerifier(jwt));
  }
  active = {
    routes: new Map(routes.map((route) => [routeId(route.functionKey, route.routeKey), route])),
    verifiers,
  };
}

/** True when `enforceRoutes` has run in this module instance (the shim checks it reached the right one). */
export function isEnforcing(): boolean {
  return active !== undefined;
}

function refuse(h: HapiToolkitLike, status: number, body: unknown, headers: Record<string, string> = {}) {
  let response = h.response(body).code(status);
  for (const [name, value] of Object.entries(headers)) response = response.header(name, value);
  return response.takeover();
}

/**
 * serverless-offline's `customAuthenticationProvider` (called once per route at start): a hapi scheme
 * that answers as API Gateway's JWT authorizer would before the function runs. A route with no
 * authorizer passes every request; one with an authorizer needs a valid token with one of its scopes.
 * Every route refuses the authorizer-override header (400). A route the plugin did not read throws:
 * better no stack than an unchecked route.
 */
export function authenticationProvider(
  _endpoint: unknown,
  functionKey: string,
  method: string,
  path: string,
): OfflineAuthStrategy {
  if (!active)
    throw new Error('local stack: the authorizer routes were not read (the plugin did not initialize)');
  const routeKey = routeKeyOfOfflineRoute(method, path);
  const route = active.routes.get(routeId(functionKey, routeKey));
  if (!route) throw new Error(`local stack: ${functionKey} (${routeKey}) is not a route of serverless.yml`);
  const verifier = route.authorizer ? active.verifiers.get(route.authorizer.jwt.name) : undefined;
  const name = `intake-${functionKey}-${routeKey}`;

  const authenticate = async (request: HapiRequestLike, h: HapiToolkitLike): Promise<unknown> => {
    const rawHeaders = request.raw.req.rawHeaders;
    if (headerValues(rawHeaders, AUTHORIZER_OVERRIDE_HEADER).length > 0) {
      return refuse(h, 400, {
        message: `The ${AUTHORIZER_OVERRIDE_HEADER} header is refused: the local stack verifies tokens as API Gateway does`,
      });
    }
    if (!route.authorizer || !verifier) return h.authenticated({ credentials: {} });
    const { scopes } = route.authorizer;
    const values = headerValues(rawHeaders, route.authorizer.jwt.header);
    // API Gateway joins repeated headers with commas: never a valid token.
    const verdict: Verdict =
      values.length > 1
        ? { ok: false, status: 401, description: 'the token is malformed' }
        : await verifier.verify(values[0] === undefined ? undefined : tokenOf(values[0]), scopes);
    if (!verdict.ok) {
      return refuse(
        h,
        verdict.status,
        { message: verdict.status === 401 ? 'Unauthorized' : 'Forbidden' },
        {
          'www-authenticate': wwwAuthenticate(verdict, scopes),
        },
      );
    }
    return h.authenticated({ credentials: { context: markVerified(verdict.claims, verdict.scopes) } });
  };

  return { name, scheme: name, getAuthenticateFunction: () => ({ authenticate }) };
}
