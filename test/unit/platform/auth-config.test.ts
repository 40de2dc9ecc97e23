/**
 * serverless/auth.js and serverless/limits.js: the decisions `sls package` makes from the stage's params
 * (issuer and audience, Cognito or not, CORS origins, redirect URLs, numeric limits). Pure functions.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const auth = require('../../../serverless/auth.js') as {
  authorizerSettings: (
    stage: string,
    params: { jwtIssuer?: string; jwtAudience?: string },
  ) => { useCognito: boolean; issuerUrl: unknown; audience: unknown[] };
  corsOrigins: (stage: string, value: string) => string[];
  httpApiCorsOf: (stage: string, value: string) => false | Record<string, unknown>;
  domainPrefixOf: (service: string, stage: string) => string;
  redirectUrls: (stage: string, name: string, value: string) => string[];
};
const { numberParam, reservedConcurrency } = require('../../../serverless/limits.js') as {
  numberParam: (name: string, value: unknown, options?: { integer?: boolean; minimum?: number }) => number;
  reservedConcurrency: (name: string, value: unknown) => number | null;
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe('serverless/auth.js: whom the authorizer trusts', () => {
  it("defaults to the stack's own Cognito pool: issuer from its id, audience its two app clients", () => {
    expect(auth.authorizerSettings('dev', { jwtIssuer: '', jwtAudience: '' })).toEqual({
      useCognito: true,
      issuerUrl: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' },
      audience: [{ Ref: 'UserPoolWebClient' }, { Ref: 'UserPoolMachineClient' }],
    });
  });

  it('trusts an external issuer with both params, the audience a comma-separated list', () => {
    expect(
      auth.authorizerSettings('prod', {
        jwtIssuer: ' https://example.eu.auth0.com/ ',
        jwtAudience: 'https://intake.example.com, api://intake,',
      }),
    ).toEqual({
      useCognito: false,
      issuerUrl: 'https://example.eu.auth0.com/',
      audience: ['https://intake.example.com', 'api://intake'],
    });
  });

  it('refuses only one of the two params, and an issuer that is not https', () => {
    expect(() => auth.authorizerSettings('dev', { jwtIssuer: 'https://x.example/' })).toThrow(
      /set both jwtIssuer and jwtAudience .* only jwtIssuer is set/,
    );
    expect(() => auth.authorizerSettings('dev', { jwtAudience: 'a' })).toThrow(/only jwtAudience is set/);
    expect(() =>
      auth.authorizerSettings('dev', { jwtIssuer: 'http://x.example/', jwtAudience: 'a' }),
    ).toThrow(/must be an https:\/\/ URL/);
    expect(() => auth.authorizerSettings('dev', { jwtIssuer: 'not a url', jwtAudience: 'a' })).toThrow(
      /is not a URL/,
    );
  });

  it('takes the local params as they are (the local issuer is http on 127.0.0.1), never Cognito', () => {
    expect(
      auth.authorizerSettings('local', { jwtIssuer: 'http://127.0.0.1:3004', jwtAudience: 'intake-local' }),
    ).toEqual({ useCognito: false, issuerUrl: 'http://127.0.0.1:3004', audience: ['intake-local'] });
    expect(() => auth.authorizerSettings('local', {})).toThrow(/stage local needs/);
  });
});

describe('serverless/auth.js: CORS origins', () => {
  it("allows '*' for stage local only", () => {
    expect(auth.corsOrigins('local', '*')).toEqual(['*']);
    expect(() => auth.corsOrigins('dev', '*')).toThrow(/may not contain "\*" outside stage local/);
    expect(() => auth.corsOrigins('prod', 'https://*.example.com')).toThrow(/outside stage local/);
  });

  it('takes explicit origins, comma-separated, and refuses anything that is not an origin', () => {
    expect(auth.corsOrigins('prod', 'https://app.example.com, http://localhost:5173')).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(() => auth.corsOrigins('prod', 'https://app.example.com/path')).toThrow(/is not an origin/);
    expect(() => auth.corsOrigins('prod', 'app.example.com')).toThrow(/is not an origin/);
  });

  it('gives the HTTP API no CORS without origins, and the API headers and methods with them', () => {
    expect(auth.httpApiCorsOf('dev', '')).toBe(false);
    expect(auth.httpApiCorsOf('dev', 'https://app.example.com')).toEqual({
      allowedOrigins: ['https://app.example.com'],
      allowedHeaders: ['authorization', 'content-type'],
      allowedMethods: ['GET', 'POST', 'DELETE'],
      exposedResponseHeaders: ['x-request-id'],
      maxAge: 600,
    });
  });
});

describe('serverless/auth.js: Cognito domain and redirect URLs', () => {
  it('derives a valid hosted-domain prefix and refuses the words Cognito reserves', () => {
    expect(auth.domainPrefixOf('intake', 'Dev_EU')).toBe('intake-dev-eu');
    expect(() => auth.domainPrefixOf('intake', 'aws-test')).toThrow(/contains "aws"/);
    expect(() => auth.domainPrefixOf('intake', 'cognito')).toThrow(/contains "cognito"/);
    expect(() => auth.domainPrefixOf('intake', 'x'.repeat(50))).toThrow(/longer than 50/);
  });

  it('wants https redirect URLs (http only on localhost), at least one', () => {
    expect(auth.redirectUrls('dev', 'cognitoCallbackUrls', 'http://localhost:5173/callback')).toEqual([
      'http://localhost:5173/callback',
    ]);
    expect(() => auth.redirectUrls('prod', 'cognitoCallbackUrls', '')).toThrow(
      /stage prod creates a Cognito web client: set --param="cognitoCallbackUrls=/,
    );
    expect(() => auth.redirectUrls('prod', 'cognitoLogoutUrls', 'http://app.example.com/')).toThrow(
      /must be https:\/\//,
    );
  });
});

describe('serverless/limits.js: numeric params', () => {
  it('turns --param strings into numbers and refuses what is not a positive limit', () => {
    expect(numberParam('apiThrottlingBurstLimit', '200')).toBe(200);
    expect(numberParam('apiThrottlingRateLimit', '12.5', { integer: false })).toBe(12.5);
    expect(numberParam('documentProcessReservedConcurrency', 10)).toBe(10);
    expect(() => numberParam('documentProcessReservedConcurrency', '2.5')).toThrow(/must be an integer >= 1/);
    expect(() => numberParam('apiThrottlingBurstLimit', '0')).toThrow(/>= 1, not "0"/);
    expect(() => numberParam('apiThrottlingRateLimit', '', { integer: false })).toThrow(/must be a number/);
  });

  it("leaves document-process unreserved only when told 'none'", () => {
    expect(reservedConcurrency('documentProcessReservedConcurrency', '5')).toBe(5);
    expect(reservedConcurrency('documentProcessReservedConcurrency', 'none')).toBeNull();
    expect(() => reservedConcurrency('documentProcessReservedConcurrency', '0')).toThrow(/>= 1/);
  });
});
