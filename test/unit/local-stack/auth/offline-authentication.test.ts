import {
  authenticationProvider,
  enforceRoutes,
  headerValues,
  tokenOf,
} from '../../../../plugins/local-stack/auth/offline-authentication';
import { verifiedAuthorizerOnly } from '../../../../plugins/local-stack/auth/offline-event-guard';
import { apiGatewayClaimValue, markVerified } from '../../../../plugins/local-stack/auth/verified-context';

// A stand-in for hapi's toolkit: records what the scheme answers (hapi itself runs in the e2e tests).
function toolkit() {
  const answer: { status?: number; body?: unknown; headers: Record<string, string>; credentials?: unknown } =
    { headers: {} };
  const response = {
    code: (status: number) => ((answer.status = status), response),
    header: (name: string, value: string) => ((answer.headers[name] = value), response),
    takeover: () => response,
  };
  return {
    answer,
    h: {
      authenticated: (data: { credentials: unknown }) => (answer.credentials = data.credentials),
      response: (body: unknown) => ((answer.body = body), response),
    },
  };
}
const request = (...rawHeaders: string[]) => ({ raw: { req: { rawHeaders } } });

beforeAll(() => {
  enforceRoutes([
    { functionKey: 'health', routeKey: 'GET /health' },
    {
      functionKey: 'docs',
      routeKey: 'GET /documents',
      authorizer: {
        jwt: {
          name: 'jwtAuthorizer',
          issuerUrl: 'http://127.0.0.1:1',
          audiences: ['a'],
          header: 'authorization',
        },
        scopes: ['documents/read'],
      },
    },
  ]);
});

describe('offline authentication provider', () => {
  it('gives each route a strategy of its own and throws for a route serverless.yml does not have', () => {
    const strategy = authenticationProvider({}, 'docs', 'GET', '/documents');
    expect(strategy.name).toBe(strategy.scheme);
    expect(strategy.name).not.toBe(authenticationProvider({}, 'health', 'GET', '/health').name);
    expect(() => authenticationProvider({}, 'docs', 'POST', '/documents')).toThrow(/not a route/);
  });

  it('passes requests to a route without an authorizer, with empty credentials', async () => {
    const { h, answer } = toolkit();
    await authenticationProvider({}, 'health', 'GET', '/health')
      .getAuthenticateFunction()
      .authenticate(request(), h);
    expect(answer.credentials).toEqual({});
  });

  it('answers 400 to the authorizer-override header on every route', async () => {
    for (const [key, path] of [
      ['health', '/health'],
      ['docs', '/documents'],
    ]) {
      const { h, answer } = toolkit();
      await authenticationProvider({}, key!, 'GET', path!)
        .getAuthenticateFunction()
        .authenticate(request('Sls-Offline-Authorizer-Override', '{"jwt":{}}'), h);
      expect(answer.status).toBe(400);
      expect(answer.credentials).toBeUndefined();
    }
  });

  it('answers 401 Unauthorized with a www-authenticate challenge to a protected route without a token', async () => {
    const { h, answer } = toolkit();
    await authenticationProvider({}, 'docs', 'GET', '/documents')
      .getAuthenticateFunction()
      .authenticate(request(), h);
    expect(answer).toMatchObject({
      status: 401,
      body: { message: 'Unauthorized' },
      headers: {
        'www-authenticate':
          'Bearer scope="documents/read" error="invalid_token" error_description="the request has no token"',
      },
    });
  });

  it('reads every raw value of a header and strips the Bearer prefix', () => {
    expect(headerValues(['Authorization', 'a', 'x', 'y', 'authorization', 'b'], 'authorization')).toEqual([
      'a',
      'b',
    ]);
    expect(tokenOf('Bearer abc')).toBe('abc');
    expect(tokenOf('abc')).toBe('abc');
  });
});

describe('offline event guard', () => {
  class EventBuilder {
    constructor(private readonly authorizer: unknown) {}
    create() {
      return { requestContext: { authorizer: this.authorizer } as Record<string, unknown> };
    }
  }
  beforeAll(() => {
    EventBuilder.prototype.create = verifiedAuthorizerOnly(
      EventBuilder.prototype.create,
    ) as typeof EventBuilder.prototype.create;
  });

  it('gives the function exactly what the scheme verified, as AWS passes it', () => {
    const context = markVerified({ sub: 'alice', exp: 1, groups: ['a', 'b'] }, ['documents/read']);
    const event = new EventBuilder({ lambda: context, jwt: { claims: { sub: 'bob' } } }).create();
    expect(event.requestContext.authorizer).toEqual({
      jwt: { claims: { sub: 'alice', exp: '1', groups: '[a b]' }, scopes: ['documents/read'] },
    });
  });

  it('gives no authorizer to what the scheme did not verify (an override, a decoded header, an open route)', () => {
    for (const forged of [{ jwt: { claims: { sub: 'bob' } } }, { lambda: {}, jwt: {} }, undefined]) {
      expect(new EventBuilder(forged).create().requestContext).toEqual({});
    }
  });

  it('renders claim values as API Gateway does', () => {
    expect(apiGatewayClaimValue('x')).toBe('x');
    expect(apiGatewayClaimValue(true)).toBe('true');
    expect(apiGatewayClaimValue({ a: 1 })).toBe('{"a":1}');
  });
});
