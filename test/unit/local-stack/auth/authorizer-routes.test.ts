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
  it('reads string and object routes with their JWT authorizer and scopes', () => {
    const routes = readHttpApiRoutes(
      {
        health: fn([{ httpApi: 'GET /health' }, { httpApi: '*' }]),
        docs: fn([
          {
            httpApi: {
              method: 'get',
              path: '/documents/{id}',
              authorizer: { name: 'jwtAuthorizer', scopes: ['documents/read'] },
            },
          },
          { httpApi: { method: '*', path: '/any', authorizer: 'jwtAuthorizer' } },
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
      { functionKey: 'docs', routeKey: 'ANY /any', authorizer: { jwt, scopes: [] } },
    ]);
    expect(jwtAuthorizersOf(routes)).toEqual([jwt]);
  });

  it('derives route keys as serverless-offline does', () => {
    expect(routeKeyOf({ method: '*', path: '*' })).toBe('$default');
    expect(routeKeyOf({ method: 'post', path: '/x' })).toBe('POST /x');
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
        { f: fn([{ httpApi: { method: 'GET', path: '/x', authorizer: { name: 'a' } } }]) },
        { a: declared },
      );
    expect(read).toThrow(AuthorizerConfigError);
    expect(read).toThrow(message);
  });

  it('stops at aws_iam routes, undeclared names and authorizers given only by id', () => {
    const read = (authorizer: unknown) => () =>
      readHttpApiRoutes({ f: fn([{ httpApi: { method: 'GET', path: '/x', authorizer } }]) }, authorizers);
    expect(read({ type: 'aws_iam' })).toThrow(/aws_iam cannot be enforced/);
    expect(read({ name: 'other' })).toThrow(/not declared/);
    expect(read({ id: 'abc' })).toThrow(/no name/);
    expect(read({ name: 'jwtAuthorizer', scopes: 'documents/read' })).not.toThrow();
    expect(read({ name: 'jwtAuthorizer', scopes: [1] })).toThrow(/scopes/);
  });
});
