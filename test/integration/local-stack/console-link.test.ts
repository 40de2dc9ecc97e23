/**
 * The console's link: the banner of a stack that serves the console (a `GET /console` route) and runs the
 * local issuer prints `<http url>/console#token=<admin token>`, and `npm run console` prints a fresh one
 * for the running stack; both tokens verify against the issuer's JWKS with the admin scope.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CONSOLE_TOKEN_TTL_SECONDS } from '../../../plugins/local-stack/console-link';
import { LocalStack } from '../../../plugins/local-stack/local-stack';
import { silentLog } from '../../../plugins/local-stack/log';
import type { LocalStackSettings } from '../../../plugins/local-stack/settings';
import { unusedPort } from '../../../plugins/local-stack/unused-port';
import { consoleLinkOfRunningStack } from '../../../scripts/console';
import { inProcessInvoker, localStackTestSettings } from '../../helpers/emulators';

jest.setTimeout(30_000);

let stack: LocalStack;
let settings: LocalStackSettings;
let issuerUrl: string;

beforeAll(async () => {
  settings = await localStackTestSettings();
  issuerUrl = `http://127.0.0.1:${await unusedPort()}`;
  stack = await LocalStack.start(
    {
      service: 'it',
      stage: 'local',
      region: 'us-east-1',
      functions: {
        console: {
          name: 'it-local-console',
          handler: 'functions/console.handler',
          events: [{ httpApi: { method: 'GET', path: '/console', public: 'the page holds no data' } }],
        },
      },
      providerEnvironment: {},
      resources: {},
      httpUrl: 'http://127.0.0.1:3999',
      lambdaEndpoint: 'http://127.0.0.1:1',
      issuer: { issuerUrl, audience: 'intake-local', scopes: ['intake/admin'] },
    },
    { settings, log: silentLog, invoke: inProcessInvoker({}).invoke },
  );
});
afterAll(async () => {
  await stack?.stop();
});

/** The token of a console link, verified as API Gateway would (signature, issuer, audience). */
async function verifiedClaims(link: string) {
  const match = /^http:\/\/127\.0\.0\.1:3999\/console#token=([^\s]+)$/.exec(link);
  expect(match).not.toBeNull();
  const jwks = createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(decodeURIComponent(match![1]!), jwks, {
    issuer: issuerUrl,
    audience: 'intake-local',
  });
  return payload;
}

it('prints the console link with an admin token, valid for CONSOLE_TOKEN_TTL_SECONDS, in the banner', async () => {
  const banner = stack.announce();
  const line = banner.split('\n').find((text) => text.startsWith('  Console'))!;
  const claims = await verifiedClaims(line.replace(/^ {2}Console\s+/, ''));
  expect(claims.scope).toBe('intake/admin');
  expect(claims.exp! - claims.iat!).toBe(CONSOLE_TOKEN_TTL_SECONDS);
  expect(banner).toContain('(an admin token valid 8 h; a fresh link: npm run console)');
});

it('npm run console prints a fresh link for the running stack (found by its state file)', async () => {
  stack.announce();
  const link = await consoleLinkOfRunningStack({ INTAKE_STATE_FILE: settings.stateFile });
  const claims = await verifiedClaims(link);
  expect(claims.scope).toBe('intake/admin');
  expect(claims.sub).toBe('local-console');
});
