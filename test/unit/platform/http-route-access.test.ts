/**
 * plugins/http-route-access: the framework learns the `public: <why>` property of an httpApi event, and
 * packaging stops at a route that does not say who may call it (serverless/http-routes.js).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const HttpRouteAccess = require('../../../plugins/http-route-access') as new (serverless: unknown) => {
  hooks: Record<string, () => void>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

class FrameworkError extends Error {}

function fakeServerless(events: unknown[]) {
  const defined: unknown[] = [];
  return {
    defined,
    serverless: {
      classes: { Error: FrameworkError },
      configSchemaHandler: {
        defineFunctionEventProperties: (...args: unknown[]) => defined.push(args),
      },
      service: { functions: { api: { handler: 'h', events } } },
    },
  };
}

describe('plugins/http-route-access', () => {
  it('adds `public` (a non-empty string) to the httpApi event schema', () => {
    const { serverless, defined } = fakeServerless([]);
    new HttpRouteAccess(serverless);
    expect(defined).toEqual([
      ['aws', 'httpApi', { properties: { public: { type: 'string', minLength: 1 } } }],
    ]);
  });

  it('packages routes that are public or behind an authorizer with scopes', () => {
    const { serverless } = fakeServerless([
      { httpApi: { method: 'GET', path: '/health', public: 'liveness' } },
      { httpApi: { method: 'GET', path: '/x', authorizer: { name: 'jwt', scopes: ['a/read'] } } },
      { sqs: { arn: 'q' } },
    ]);
    expect(() => new HttpRouteAccess(serverless).hooks['before:package:initialize']!()).not.toThrow();
  });

  it("stops packaging with the framework's error naming each undeclared route", () => {
    const { serverless } = fakeServerless([{ httpApi: 'GET /open' }, { httpApi: '*' }]);
    const check = () => new HttpRouteAccess(serverless).hooks['before:package:initialize']!();
    expect(check).toThrow(FrameworkError);
    expect(check).toThrow(
      [
        'HTTP routes without access declaration:',
        'function api, route GET /open: no authorizer and not declared `public: <why>`; every route says who may call it',
        'function api, route $default: no authorizer and not declared `public: <why>`; every route says who may call it',
      ].join('\n'),
    );
  });
});
