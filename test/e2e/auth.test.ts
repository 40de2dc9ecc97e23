/**
 * The JWT authorizer on the real `npm start`: every refusal API Gateway makes, made locally with the same
 * status, body and header; a valid token's claims reach the handler, and nothing else does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK, type KeyLike } from 'jose';
import { postGithubPush } from '../helpers/github-push';
import { freePort, startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { localToken } from '../helpers/local-tokens';

jest.setTimeout(180_000);
const run = promisify(execFile);
const githubSecret = 'e2e auth github secret';
let stack: LocalStackProcess;
let dataDir: string;
let issuerKey: { kid: string; privateKey: KeyLike };
let base: string;
let issuerPort: number;

beforeAll(async () => {
  issuerPort = await freePort();
  // Persistence on, so the test can sign tokens with the issuer's own key (kept in the data folder)
  // and change one claim at a time.
  dataDir = mkdtempSync(join(tmpdir(), 'intake-auth-e2e-'));
  stack = await startLocalStack({
    fixtures: true,
    env: {
      INTAKE_DATA_DIR: dataDir,
      WEBHOOK_SECRET_GITHUB: githubSecret,
      INTAKE_ISSUER_PORT: String(issuerPort),
    },
    timeoutMs: 120_000,
  });
  base = stack.state.http.url;
  const jwk = JSON.parse(readFileSync(join(dataDir, 'issuer', 'key.json'), 'utf8')) as JWK;
  const jwks = (await (await fetch(stack.state.auth!.jwksUri)).json()) as { keys: JWK[] };
  issuerKey = { kid: jwks.keys[0]!.kid!, privateKey: (await importJWK(jwk, 'RS256')) as KeyLike };
});
afterAll(async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the issuer's key whose claims are the valid ones with `changes` applied. */
function issuerSigned(changes: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const claims: Record<string, unknown> = {
    iss: stack.state.auth!.issuer,
    aud: stack.state.auth!.audience,
    sub: 'alice',
    scope: 'documents/read documents/write intake/admin',
    iat: now(),
    nbf: now(),
    exp: now() + 600,
    ...changes,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: issuerKey.kid, ...header })
    .sign(issuerKey.privateKey);
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function expectUnauthorized(response: Response, description?: RegExp): Promise<void> {
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ message: 'Unauthorized' });
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  if (description) {
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toMatch(description);
  }
}

const protectedRoutes = ['/health/integrations/aws', '/documents', '/fixtures/authorized'];

describe.each(protectedRoutes)('GET %s refuses, as API Gateway does,', (path) => {
  it('a request without a token', async () => {
    await expectUnauthorized(await get(path));
  });

  it('a malformed token', async () => {
    await expectUnauthorized(await get(path, bearer('not-a-jwt')), /malformed/);
    await expectUnauthorized(await get(path, bearer('a.b.c')), /malformed/);
  });

  it('an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT({ sub: 'alice', scope: 'documents/read intake/admin' })
      .setIssuer(stack.state.auth!.issuer)
      .setAudience(stack.state.auth!.audience)
      .setExpirationTime('10m')
      .encode();
    await expectUnauthorized(await get(path, bearer(token)), /algorithm/);
  });

  it('a token signed with a key that is not in the JWKS, whatever kid it names', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    for (const kid of ['attacker', issuerKey.kid]) {
      const token = await new SignJWT({ sub: 'mallory', scope: 'documents/read intake/admin' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(stack.state.auth!.issuer)
        .setAudience(stack.state.auth!.audience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      await expectUnauthorized(await get(path, bearer(token)), /key|signature/);
    }
  });

  it('an HS256 token keyed with the issuer public key (algorithm confusion)', async () => {
    const jwks = (await (await fetch(stack.state.auth!.jwksUri)).json()) as { keys: JWK[] };
    const publicPem = await exportSPKI((await importJWK(jwks.keys[0]!, 'RS256')) as KeyLike);
    for (const secret of [publicPem, JSON.stringify(jwks.keys[0])]) {
      const token = await new SignJWT({ sub: 'mallory', scope: 'documents/read intake/admin' })
        .setProtectedHeader({ alg: 'HS256', kid: issuerKey.kid })
        .setIssuer(stack.state.auth!.issuer)
        .setAudience(stack.state.auth!.audience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      await expectUnauthorized(await get(path, bearer(token)), /algorithm/);
    }
  });

  it('a wrong issuer', async () => {
    await expectUnauthorized(
      await get(path, bearer(await issuerSigned({ iss: `${stack.state.auth!.issuer}/` }))),
      /issuer/,
    );
    await expectUnauthorized(await get(path, bearer(await issuerSigned({ iss: undefined }))));
  });

  it('a wrong audience, or none', async () => {
    await expectUnauthorized(
      await get(path, bearer(await issuerSigned({ aud: 'someone-else' }))),
      /audience/,
    );
    await expectUnauthorized(await get(path, bearer(await issuerSigned({ aud: undefined }))), /audience/);
  });

  it('an expired token', async () => {
    await expectUnauthorized(
      await get(path, bearer(await issuerSigned({ iat: now() - 120, nbf: now() - 120, exp: now() - 60 }))),
      /expired/,
    );
  });

  it('a token not valid yet, or issued in the future', async () => {
    await expectUnauthorized(
      await get(path, bearer(await issuerSigned({ nbf: now() + 120 }))),
      /not valid yet/,
    );
    await expectUnauthorized(await get(path, bearer(await issuerSigned({ iat: now() + 120 }))), /future/);
  });
});

describe('scopes', () => {
  it("answers 403 Forbidden to a valid token without one of the route's scopes", async () => {
    const writer = await localToken(stack.state, { sub: 'alice', scope: 'documents/write' });
    for (const path of ['/documents', '/fixtures/authorized']) {
      const response = await get(path, bearer(writer));
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
    const reader = await localToken(stack.state, { sub: 'alice' });
    const integrations = await get('/health/integrations/aws', bearer(reader));
    expect(integrations.status).toBe(403);
    expect(await integrations.json()).toEqual({ message: 'Forbidden' });
  });

  it('accepts scp (a list) as well as scope', async () => {
    const token = await issuerSigned({ scope: undefined, scp: ['documents/read'] });
    expect((await get('/fixtures/authorized', bearer(token))).status).toBe(200);
  });

  it('lets the admin scope read the integrations report', async () => {
    const operator = await localToken(stack.state, { sub: 'operator', scope: 'intake/admin' });
    expect([200, 503]).toContain((await get('/health/integrations/aws', bearer(operator))).status);
  });
});

describe('a valid token', () => {
  it("reaches the handler, whose authorizer context holds the verified token's claims as AWS passes them", async () => {
    const token = await localToken(stack.state, {
      sub: 'alice',
      scope: 'documents/read',
      claims: { 'custom:tenant': 't1', groups: ['a', 'b'] },
    });
    const response = await get('/fixtures/authorized', bearer(token));
    expect(response.status).toBe(200);
    const { authorizer } = (await response.json()) as {
      authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } };
    };
    expect(Object.keys(authorizer)).toEqual(['jwt']);
    expect(authorizer.jwt.scopes).toEqual(['documents/read']);
    expect(authorizer.jwt.claims).toMatchObject({
      sub: 'alice',
      iss: stack.state.auth!.issuer,
      aud: stack.state.auth!.audience,
      scope: 'documents/read',
      'custom:tenant': 't1',
      groups: '[a b]',
    });
    expect(authorizer.jwt.claims.exp).toMatch(/^\d+$/);
  });

  it('works without the Bearer prefix, as API Gateway accepts', async () => {
    const token = await localToken(stack.state, { sub: 'alice' });
    expect((await get('/fixtures/authorized', { authorization: token })).status).toBe(200);
  });

  it('come from the issuer npm start serves on INTAKE_ISSUER_PORT, named in the state file and the banner', async () => {
    const issuer = `http://127.0.0.1:${issuerPort}`;
    expect(stack.state.auth).toMatchObject({ issuer, audience: 'intake-local' });
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery).toMatchObject({ issuer, jwks_uri: stack.state.auth!.jwksUri });
    await stack.waitForLine((line) => line.includes(`OIDC issuer     ${issuer} (audience intake-local)`));
  });

  it('comes from `npm run --silent token`, which prints the token and nothing else', async () => {
    // Exactly the README's command: npm itself prints its `> intake token` header unless --silent.
    const { stdout } = await run(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'alice', '--scope', 'read'],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, INTAKE_STATE_FILE: stack.stateFile },
      },
    );
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect((await get('/fixtures/authorized', bearer(stdout.trim()))).status).toBe(200);
  });

  it('refuses two Authorization headers, never taking the forged one', async () => {
    const alice = await localToken(stack.state, { sub: 'alice' });
    const forged = new UnsecuredJWT({ sub: 'bob', scope: 'documents/read' }).encode();
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL('/fixtures/authorized', base);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: ['authorization', `Bearer ${alice}`, 'authorization', `Bearer ${forged}`],
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    // hapi answers 400 to the repeated header before authentication; the scheme would answer 401
    // (API Gateway joins repeated headers: never a token). Either way, no function runs.
    expect([400, 401]).toContain(status);
  });
});

describe('routes without an authorizer', () => {
  it('stay public: GET /health and a signed webhook need no token', async () => {
    expect((await get('/health')).status).toBe(200);
    const response = await postGithubPush(base, githubSecret, `auth-e2e-${Date.now()}`, '{"ref":"main"}');
    expect(response.status).toBe(202);
  });

  it('give the function no authorizer context, even when an Authorization header is sent', async () => {
    const forged = new UnsecuredJWT({ sub: 'bob' }).encode();
    const response = await get('/fixtures/open', bearer(forged));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ authorizer: null });
  });
});

describe("serverless-offline's authorizer override", () => {
  const claimingBob = JSON.stringify({ jwt: { claims: { sub: 'bob' }, scopes: ['documents/read'] } });

  it("gets an attacker with Alice's token nothing of Bob's: the header is refused with 400", async () => {
    const bob = await localToken(stack.state, { sub: 'bob' });
    const created = await fetch(`${base}/documents`, {
      method: 'POST',
      headers: { ...bearer(bob), 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'bob.txt', contentType: 'text/plain', size: 3 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const alice = await localToken(stack.state, { sub: 'alice' });
    for (const path of [
      '/documents',
      `/documents/${id}`,
      '/fixtures/authorized',
      '/fixtures/open',
      '/health',
    ]) {
      const response = await get(path, { ...bearer(alice), 'sls-offline-authorizer-override': claimingBob });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { message: string };
      expect(body.message).toMatch(/sls-offline-authorizer-override/);
      expect(JSON.stringify(body)).not.toContain(id);
    }
    // Without the header, Alice is Alice: Bob's document does not exist for her.
    expect((await get(`/documents/${id}`, bearer(alice))).status).toBe(404);
  });
});
