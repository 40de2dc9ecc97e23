import { httpRoutesOf, routeAccessProblems, routeKeyOf } from '../../../serverless/http-routes';
import type { FunctionDefinition } from '../service-model';

/** A JWT authorizer as serverless.yml declares it (`provider.httpApi.authorizers.<name>`), resolved. */
export interface JwtAuthorizer {
  name: string;
  /** The `iss` tokens must carry, exactly; its discovery document names the JWKS. */
  issuerUrl: string;
  /** A token's `aud` (or, without `aud`, its `client_id`) must be one of these. */
  audiences: string[];
  /** The request header that carries the token (`$request.header.Authorization` → `authorization`). */
  header: string;
}

/** One HTTP API route and the authorizer API Gateway would run before its function (none: public). */
export interface HttpApiRoute {
  functionKey: string;
  /** API Gateway's route key, as serverless-offline derives it: `GET /documents/{id}`, or `$default`. */
  routeKey: string;
  authorizer?: { jwt: JwtAuthorizer; scopes: string[] };
}

/** A declaration npm start cannot enforce as API Gateway would; its message is the one line to show. */
export class AuthorizerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthorizerConfigError';
  }
}

interface DeclaredAuthorizer {
  type?: unknown;
  identitySource?: unknown;
  issuerUrl?: unknown;
  audience?: unknown;
  functionName?: unknown;
}

export { routeKeyOf };

/** The route key of the `(method, path)` serverless-offline passes to an authentication provider. */
export function routeKeyOfOfflineRoute(method: string, path: string): string {
  return method === 'ANY' && path === '$default' ? '$default' : `${method} ${path}`;
}

function stringList(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.every((item) => typeof item === 'string' && item.length > 0) ? (list as string[]) : undefined;
}

function jwtAuthorizer(name: string, declared: DeclaredAuthorizer | undefined, where: string): JwtAuthorizer {
  if (!declared)
    throw new AuthorizerConfigError(
      `${where}: authorizer ${name} is not declared in provider.httpApi.authorizers`,
    );
  const type = String(
    declared.type ?? (declared.functionName !== undefined ? 'request' : 'jwt'),
  ).toLowerCase();
  if (type !== 'jwt') {
    throw new AuthorizerConfigError(
      `${where}: authorizer ${name} is of type ${type}, which npm start cannot enforce (only jwt); the route would be open locally`,
    );
  }
  const header = /^\$request\.header\.([A-Za-z0-9-]+)$/.exec(String(declared.identitySource ?? ''))?.[1];
  if (!header) {
    throw new AuthorizerConfigError(
      `${where}: authorizer ${name} has identitySource ${String(declared.identitySource)}; npm start reads tokens only from $request.header.<name>`,
    );
  }
  const issuerUrl = declared.issuerUrl;
  if (typeof issuerUrl !== 'string' || !/^https?:\/\//.test(issuerUrl)) {
    throw new AuthorizerConfigError(
      `${where}: authorizer ${name} has no issuerUrl npm start can reach (got ${JSON.stringify(issuerUrl)})`,
    );
  }
  const audiences = stringList(declared.audience);
  if (!audiences) {
    throw new AuthorizerConfigError(
      `${where}: authorizer ${name} has no audience (got ${JSON.stringify(declared.audience)})`,
    );
  }
  return { name, issuerUrl, audiences, header: header.toLowerCase() };
}

/**
 * Every function's `httpApi` routes (serverless/http-routes.js, the same reading as the package check
 * and the template gate) with the JWT authorizer and scopes each declares; a route declared
 * `public: <why>` has none. Read at `initialize`, before serverless-offline rewrites the events in
 * place. Throws AuthorizerConfigError for a route that says neither, or whose authorizer npm start could
 * not enforce (a request or aws_iam authorizer, an undeclared name, a JWT authorizer without issuer or
 * audience): better no stack than an open route.
 */
export function readHttpApiRoutes(
  functions: Record<string, FunctionDefinition>,
  authorizers: Record<string, DeclaredAuthorizer> = {},
): HttpApiRoute[] {
  const declaredRoutes = httpRoutesOf(functions);
  const problems = routeAccessProblems(declaredRoutes);
  if (problems.length > 0) throw new AuthorizerConfigError(problems.join('\n'));
  return declaredRoutes.map(({ functionKey, routeKey, authorizer: declared }) => {
    if (declared === undefined) return { functionKey, routeKey };
    const where = `${functionKey} (${routeKey})`;
    const reference = declared as { name?: unknown; type?: unknown; scopes?: unknown };
    if (reference.type !== undefined && String(reference.type).toLowerCase() !== 'jwt') {
      throw new AuthorizerConfigError(
        `${where}: authorizer type ${String(reference.type)} cannot be enforced by npm start (only jwt); the route would be open locally`,
      );
    }
    if (typeof reference.name !== 'string') {
      throw new AuthorizerConfigError(
        `${where}: the authorizer has no name of provider.httpApi.authorizers (an id alone cannot be enforced locally)`,
      );
    }
    const scopes = stringList(reference.scopes);
    if (!scopes) throw new AuthorizerConfigError(`${where}: authorizer scopes must be a list of names`);
    return {
      functionKey,
      routeKey,
      authorizer: { jwt: jwtAuthorizer(reference.name, authorizers[reference.name], where), scopes },
    };
  });
}

/** The distinct JWT authorizers the routes use (one local issuer serves each loopback issuerUrl). */
export function jwtAuthorizersOf(routes: readonly HttpApiRoute[]): JwtAuthorizer[] {
  const byName = new Map<string, JwtAuthorizer>();
  for (const route of routes)
    if (route.authorizer) byName.set(route.authorizer.jwt.name, route.authorizer.jwt);
  return [...byName.values()];
}
