import {
  AuthorizerConfigError,
  jwtAuthorizersOf,
  readHttpApiRoutes,
  routeKeyOf,
} from '../../../../plugins/local-stack/auth/authorizer-routes';

const authorizers = {
  jwtAuthorizer: {
    type: 'jwt',
    identitySource: '$request.header.Authorization',
    issuerUrl: 'http://127.0.0.1:3004',
    audience: ['intake-local'],
  },
};
const fn = (events: Record<string, unknown>[]) => ({ name: 'f', handler: 'h', events });

describe('readHttpApiRoutes', () => {
  it('reads each route with its JWT authorizer and scopes, and none for a route declared public', () => {
    const routes = readHttpApiRoutes(
      {
        health: fn([
          { httpApi: { method: 'GET', path: '/health', public: 'liveness' } },
          { httpApi: { method: '*', path: '*', public: 'catch-all 404' } },
        ]),
        docs: fn([
          {
            httpApi: {
              method: 'get',
              path: '/documents/{id}',
              authorizer: { name: 'jwtAuthorizer', scopes: ['documents/read'] },
            },
          },
          { httpApi: { method: '*', path: '/any', authorizer: { name: 'jwtAuthorizer', scopes: ['a/b'] } } },
          { sqs: 'arn' },
        ]),
      },
      authorizers,
    );
    const jwt = {
      name: 'jwtAuthorizer',
      issuerUrl: 'http://127.0.0.1:3004',
      audiences: ['intake-local'],
      header: 'authorization',
    };
    expect(routes).toEqual([
      { functionKey: 'health', routeKey: 'GET /health' },
      { functionKey: 'health', routeKey: '$default' },
      {
        functionKey: 'docs',
        routeKey: 'GET /documents/{id}',
        authorizer: { jwt, scopes: ['documents/read'] },
      },
      { functionKey: 'docs', routeKey: 'ANY /any', authorizer: { jwt, scopes: ['a/b'] } },
    ]);
    expect(jwtAuthorizersOf(routes)).toEqual([jwt]);
  });

  it('derives route keys as serverless-offline does', () => {
    expect(routeKeyOf({ method: '*', path: '*' })).toBe('$default');
    expect(routeKeyOf({ method: 'post', path: '/x' })).toBe('POST /x');
  });

  it('stops at a route that is neither public nor behind an authorizer with scopes', () => {
    const read = (httpApi: unknown) => () => readHttpApiRoutes({ f: fn([{ httpApi }]) }, authorizers);
    expect(read('GET /open')).toThrow(AuthorizerConfigError);
    expect(read('GET /open')).toThrow(/function f, route GET \/open: no authorizer and not declared `public/);
    expect(read({ method: 'GET', path: '/x', authorizer: 'jwtAuthorizer' })).toThrow(/names no scopes/);
    expect(
      read({
        method: 'GET',
        path: '/x',
        public: 'why',
        authorizer: { name: 'jwtAuthorizer', scopes: ['a'] },
      }),
    ).toThrow(/both `public` and an authorizer/);
    expect(read({ method: 'GET', path: '/x', public: ' ' })).toThrow(/must say why/);
  });

  it.each([
    ['a request authorizer', { type: 'request', functionName: 'auth' }, /type request.*cannot enforce/],
    ['a lambda authorizer by function', { functionName: 'auth' }, /type request/],
    [
      'a jwt authorizer without issuer',
      { ...authorizers.jwtAuthorizer, issuerUrl: { 'Fn::Sub': 'x' } },
      /issuerUrl/,
    ],
    ['a jwt authorizer without audience', { ...authorizers.jwtAuthorizer, audience: [] }, /audience/],
    [
      'an identity source off the headers',
      { ...authorizers.jwtAuthorizer, identitySource: '$request.querystring.t' },
      /identitySource/,
    ],
  ])('stops at %s rather than leave the route open', (_what, declared, message) => {
    const read = () =>
      readHttpApiRoutes(
        { f: fn([{ httpApi: { method: 'GET', path: '/x', authorizer: { name: 'a', scopes: ['s'] } } }]) },
        { a: declared },
      );
    expect(read).toThrow(AuthorizerConfigError);
    expect(read).toThrow(message);
  });

  it('stops at aws_iam routes, undeclared names and authorizers given only by id', () => {
    const read = (authorizer: unknown) => () =>
      readHttpApiRoutes({ f: fn([{ httpApi: { method: 'GET', path: '/x', authorizer } }]) }, authorizers);
    expect(read({ type: 'aws_iam', scopes: ['s'] })).toThrow(/aws_iam cannot be enforced/);
    expect(read({ name: 'other', scopes: ['s'] })).toThrow(/not declared/);
    expect(read({ id: 'abc', scopes: ['s'] })).toThrow(/no name/);
    expect(read({ name: 'jwtAuthorizer', scopes: 'documents/read' })).toThrow(/names no scopes/);
    expect(read({ name: 'jwtAuthorizer', scopes: [1] })).toThrow(/scopes must be a list of names/);
  });
});
