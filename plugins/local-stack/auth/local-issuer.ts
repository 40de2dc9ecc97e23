import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOrCreateIssuerKey, type IssuerKey } from './issuer-keys';
import { parseTokenRequest, TokenRequestError, type TokenRequest } from './token-request';

/** The largest token request body accepted (a request is a few hundred bytes). */
export const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;

export interface LocalIssuerOptions {
  /** The authorizer's issuerUrl: the issuer serves there and puts it, exactly, in every token's `iss`. */
  issuerUrl: string;
  /** The `aud` of the tokens it signs (the authorizer's first audience). */
  audience: string;
  /** Keep the signing key here (INTAKE_DATA_DIR) so tokens survive a restart; a new key per run when undefined. */
  dataDir?: string;
  /** Scopes listed in the discovery document. */
  scopesSupported?: string[];
}

/** What the state file and tools know of the issuer. */
export interface LocalIssuerEndpoints {
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  audience: string;
}

export interface LocalIssuer extends LocalIssuerEndpoints {
  port: number;
  kid: string;
  /** Signs a token as the token endpoint does (tests and tools in-process). */
  sign(request: TokenRequest): Promise<string>;
  stop(): Promise<void>;
}

/** Raised when the issuerUrl is not one npm start may serve (not http on a loopback host). */
export class IssuerUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerUrlError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an `http://` URL on 127.0.0.1, localhost or [::1]: the only issuers npm start serves itself. */
export function isLoopbackIssuer(issuerUrl: string): boolean {
  try {
    const url = new URL(issuerUrl);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** The issuer's endpoints under its URL (any path of the issuerUrl is kept, as OIDC discovery requires). */
export function issuerEndpoints(issuerUrl: string, audience: string): LocalIssuerEndpoints {
  const base = issuerUrl.replace(/\/+$/, '');
  return {
    issuer: issuerUrl,
    jwksUri: `${base}/.well-known/jwks.json`,
    tokenEndpoint: `${base}/local/token`,
    audience,
  };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_TOKEN_REQUEST_BYTES) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TOKEN_REQUEST_BYTES) {
        reject(new BodyTooLargeError());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts the local OIDC issuer on the host and port of `issuerUrl` (loopback only): its discovery
 * document, its JWKS (one RS256 key with a `kid`) and `POST /local/token`, which signs a token for any
 * subject: a development convenience that exists only in the local stack. Rejects with the listen error
 * (EADDRINUSE…) or an IssuerUrlError.
 */
export async function startLocalIssuer(options: LocalIssuerOptions): Promise<LocalIssuer> {
  if (!isLoopbackIssuer(options.issuerUrl)) {
    throw new IssuerUrlError(
      `the JWT authorizer's issuer ${options.issuerUrl} is not an http URL on 127.0.0.1: npm start serves its own issuer only there`,
    );
  }
  const url = new URL(options.issuerUrl);
  const endpoints = issuerEndpoints(options.issuerUrl, options.audience);
  const prefix = url.pathname.replace(/\/+$/, '');
  const key: IssuerKey = await loadOrCreateIssuerKey(options.dataDir);
  const discovery = {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwksUri,
    token_endpoint: endpoints.tokenEndpoint,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [key.alg],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scope'],
    ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}),
  };
  const jwks = { keys: [key.publicJwk] };

  const sign = async (request: TokenRequest): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...request.claims, ...(request.scope ? { scope: request.scope } : {}) })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(endpoints.issuer)
      .setAudience(endpoints.audience)
      .setSubject(request.sub)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + request.ttlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey);
  };

  const issueToken = async (request: IncomingMessage, response: ServerResponse) => {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(response, 413, {
          error: 'invalid_request',
          message: `the body is over ${MAX_TOKEN_REQUEST_BYTES} bytes`,
        });
      } else sendJson(response, 400, { error: 'invalid_request', message: 'the body is not JSON' });
      return;
    }
    let tokenRequest: TokenRequest;
    try {
      tokenRequest = parseTokenRequest(body);
    } catch (error) {
      if (!(error instanceof TokenRequestError)) throw error;
      sendJson(response, 400, { error: 'invalid_request', message: error.message });
      return;
    }
    sendJson(response, 200, {
      access_token: await sign(tokenRequest),
      token_type: 'Bearer',
      expires_in: tokenRequest.ttlSeconds,
    });
  };

  const routes: Record<
    string,
    { method: string; serve: (request: IncomingMessage, response: ServerResponse) => unknown }
  > = {
    [`${prefix}/.well-known/openid-configuration`]: {
      method: 'GET',
      serve: (_request, response) => sendJson(response, 200, discovery, { 'cache-control': 'max-age=300' }),
    },
    [`${prefix}/.well-known/jwks.json`]: {
      method: 'GET',
      serve: (_request, response) => sendJson(response, 200, jwks, { 'cache-control': 'max-age=300' }),
    },
    [`${prefix}/local/token`]: { method: 'POST', serve: issueToken },
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://issuer').pathname;
    const route = routes[path];
    if (!route) return sendJson(response, 404, { error: 'not_found', message: `no ${path} here` });
    if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
      return sendJson(
        response,
        405,
        { error: 'method_not_allowed', message: `${path} takes ${route.method}` },
        { allow: route.method },
      );
    }
    Promise.resolve(route.serve(request, response)).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error', message: String(error) });
      else response.destroy();
    });
  });
  const port = Number(url.port || 80);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, url.hostname.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    ...endpoints,
    port: (server.address() as AddressInfo).port,
    kid: key.kid,
    sign,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
