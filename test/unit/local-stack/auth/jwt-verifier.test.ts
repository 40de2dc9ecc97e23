import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type KeyLike } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  audienceMatches,
  createJwtVerifier,
  tokenScopes,
  type JwtVerifier,
} from '../../../../plugins/local-stack/auth/jwt-verifier';

// A tiny issuer on 127.0.0.1 (real socket) serving discovery and a JWKS of jose-generated keys.
let server: Server;
let issuerUrl: string;
let signingKey: KeyLike;
let anyAlgKey: KeyLike;
let publicKey: KeyLike;
let jwks: { keys: JWK[] };
let fetches: string[];
let verifier: JwtVerifier;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  ({ privateKey: signingKey, publicKey } = await generateKeyPair('RS256'));
  const second = await generateKeyPair('RS512');
  anyAlgKey = second.privateKey;
  jwks = {
    keys: [
      { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' },
      // No alg: usable with any RSA algorithm.
      { ...(await exportJWK(second.publicKey)), kid: 'k2', use: 'sig' },
    ],
  };
  server = createServer((request, response) => {
    fetches.push(request.url!);
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration')
      response.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks` }));
    else response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createJwtVerifier({
    name: 'jwtAuthorizer',
    issuerUrl,
    audiences: ['api', 'other'],
    header: 'authorization',
  });
});
beforeEach(() => (fetches = []));
afterAll(() => new Promise((resolve) => server.close(resolve)));

function token(
  changes: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: KeyLike = signingKey,
) {
  const claims: Record<string, unknown> = {
    iss: issuerUrl,
    aud: 'api',
    sub: 'alice',
    scope: 'documents/read',
    iat: now(),
    exp: now() + 60,
    ...changes,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(key);
}

const refusal = (description: RegExp, status = 401) => ({
  ok: false,
  status,
  description: expect.stringMatching(description),
});

describe('JWT verifier (API Gateway HTTP API rules)', () => {
  it('accepts a valid token and returns its claims and scopes', async () => {
    const verdict = await verifier.verify(await token(), ['documents/read']);
    expect(verdict).toMatchObject({ ok: true, claims: { sub: 'alice' }, scopes: ['documents/read'] });
  });

  it('accepts RS384 and RS512, an aud list holding one audience, and client_id when aud is absent', async () => {
    expect((await verifier.verify(await token({}, { alg: 'RS512', kid: 'k2' }, anyAlgKey), [])).ok).toBe(
      true,
    );
    expect((await verifier.verify(await token({}, { alg: 'RS384', kid: 'k2' }, anyAlgKey), [])).ok).toBe(
      true,
    );
    expect((await verifier.verify(await token({ aud: ['x', 'other'] }), [])).ok).toBe(true);
    expect((await verifier.verify(await token({ aud: undefined, client_id: 'api' }), [])).ok).toBe(true);
  });

  it('refuses what API Gateway refuses, each with its description', async () => {
    const { privateKey: foreign } = await generateKeyPair('RS256');
    const hmac = await new SignJWT({ iss: issuerUrl, aud: 'api', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode(await exportSPKI(publicKey)));
    const cases: [string | undefined, RegExp][] = [
      [undefined, /no token/],
      ['', /no token/],
      ['abc', /malformed/],
      [new UnsecuredJWT({ iss: issuerUrl, aud: 'api' }).encode(), /algorithm/],
      [hmac, /algorithm/],
      [await token({}, { kid: undefined }), /no kid/],
      [await token({}, { kid: 'unknown' }), /not signed by a key of the issuer/],
      [await token({}, {}, foreign), /invalid signature/],
      [await token({ iss: `${issuerUrl}/` }), /issuer/],
      [await token({ aud: 'nope' }), /audience/],
      [await token({ aud: undefined }), /audience/],
      [await token({ aud: 'nope', client_id: 'api' }), /audience/],
      [await token({ exp: now() - 1 }), /expired/],
      [await token({ exp: undefined }), /no exp/],
      [await token({ nbf: now() + 30 }), /not valid yet/],
      [await token({ iat: now() + 30 }), /future/],
    ];
    for (const [candidate, description] of cases) {
      expect(await verifier.verify(candidate, [])).toEqual(refusal(description));
    }
  });

  it("answers 403 when the token has none of the route's scopes (scope or scp)", async () => {
    expect(await verifier.verify(await token({ scope: 'documents/write' }), ['documents/read'])).toEqual(
      refusal(/scope/, 403),
    );
    expect(await verifier.verify(await token({ scope: undefined }), ['documents/read'])).toEqual(
      refusal(/scope/, 403),
    );
    expect(
      (
        await verifier.verify(await token({ scope: undefined, scp: ['x', 'documents/read'] }), [
          'documents/read',
          'y',
        ])
      ).ok,
    ).toBe(true);
  });

  it('fetches discovery and the JWKS once, then serves from the cache', async () => {
    const fresh = createJwtVerifier({ name: 'a', issuerUrl, audiences: ['api'], header: 'authorization' });
    await fresh.verify(await token(), []);
    await fresh.verify(await token(), []);
    expect(fetches).toEqual(['/.well-known/openid-configuration', '/jwks']);
  });
});

describe('claim helpers', () => {
  it('reads scopes from scope or scp', () => {
    expect(tokenScopes({ scope: 'a  b' })).toEqual(['a', 'b']);
    expect(tokenScopes({ scp: ['a', 1] })).toEqual(['a']);
    expect(tokenScopes({ scp: 'a b' })).toEqual(['a', 'b']);
    expect(tokenScopes({})).toEqual([]);
  });

  it('checks client_id only when aud is absent', () => {
    expect(audienceMatches({ aud: 'x', client_id: 'api' }, ['api'])).toBe(false);
    expect(audienceMatches({ client_id: 'api' }, ['api'])).toBe(true);
  });
});
