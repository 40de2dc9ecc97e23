import { decodeProtectedHeader, jwtVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from '../../../../plugins/local-stack/unused-port';
import { issuerKeyFile } from '../../../../plugins/local-stack/auth/issuer-keys';
import {
  isLoopbackIssuer,
  MAX_TOKEN_REQUEST_BYTES,
  startLocalIssuer,
  type LocalIssuer,
} from '../../../../plugins/local-stack/auth/local-issuer';

// Real sockets on 127.0.0.1: the issuer is an HTTP server.
let issuer: LocalIssuer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'intake-issuer-'));
  issuer = await startLocalIssuer({
    issuerUrl: `http://127.0.0.1:${await unusedPort()}`,
    audience: 'intake-local',
    dataDir,
    scopesSupported: ['documents/read'],
  });
});
afterAll(async () => {
  await issuer.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const postToken = (body: string) =>
  fetch(issuer.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('local OIDC issuer', () => {
  it('serves a discovery document naming its JWKS and token endpoint', async () => {
    const discovery = (await (
      await fetch(`${issuer.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: issuer.issuer,
      jwks_uri: issuer.jwksUri,
      token_endpoint: issuer.tokenEndpoint,
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['documents/read'],
    });
  });

  it('serves one public RS256 key with a kid, and no private part', async () => {
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: issuer.kid });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('signs tokens with iss, aud, sub, scope, iat, nbf, exp, jti and the extra claims', async () => {
    const response = await postToken(
      JSON.stringify({ sub: 'alice', ttlSeconds: 60, claims: { 'custom:tenant': 't1' } }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'RS256', kid: issuer.kid });
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: issuer.issuer,
      audience: 'intake-local',
    });
    expect(payload).toMatchObject({
      sub: 'alice',
      scope: 'documents/read documents/write',
      'custom:tenant': 't1',
    });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe('string');
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no sub', '{}', /sub/],
    ['an unknown field', '{"sub":"a","admin":true}', /admin/],
    ['a ttl out of range', '{"sub":"a","ttlSeconds":0}', /ttlSeconds/],
    ['a reserved claim', '{"sub":"a","claims":{"iss":"x","aud":"y"}}', /iss, aud/],
    ['a malformed scope', '{"sub":"a","scope":"a  b"}', /scope/],
  ])('answers 400 JSON to %s', async (_what, body, message) => {
    const response = await postToken(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('invalid_request');
    expect(answer.message).toMatch(message);
  });

  it('answers 413 to a body over its bound, 405 to the wrong method, 404 elsewhere', async () => {
    expect((await postToken(`{"sub":"${'a'.repeat(MAX_TOKEN_REQUEST_BYTES)}"}`)).status).toBe(413);
    expect((await fetch(issuer.tokenEndpoint)).status).toBe(405);
    expect((await fetch(`${issuer.issuer}/elsewhere`)).status).toBe(404);
  });

  it('keeps its key in the data folder (0600) and signs with it again after a restart', async () => {
    expect(statSync(issuerKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const again = await startLocalIssuer({
      issuerUrl: `http://127.0.0.1:${await unusedPort()}`,
      audience: 'intake-local',
      dataDir,
    });
    try {
      expect(again.kid).toBe(issuer.kid);
    } finally {
      await again.stop();
    }
    const fresh = await startLocalIssuer({
      issuerUrl: `http://127.0.0.1:${await unusedPort()}`,
      audience: 'x',
    });
    try {
      expect(fresh.kid).not.toBe(issuer.kid);
    } finally {
      await fresh.stop();
    }
  });

  it('serves only http issuers on a loopback host', async () => {
    expect(isLoopbackIssuer('http://127.0.0.1:3004')).toBe(true);
    expect(isLoopbackIssuer('http://localhost:3004/realm')).toBe(true);
    expect(isLoopbackIssuer('https://127.0.0.1')).toBe(false);
    expect(isLoopbackIssuer('http://example.com')).toBe(false);
    await expect(
      startLocalIssuer({ issuerUrl: 'https://issuer.example.com', audience: 'a' }),
    ).rejects.toThrow(/127\.0\.0\.1/);
  });
});
