import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalPutGuard } from './conditional-put';
import { PayloadHashCheck } from './payload-hash-check';
import { handlePostObject } from './post-object';
import type { PostCredentials } from './post-signature';
import { s3ErrorXml, S3PostError } from './s3-post-error';
import { verifySigV4Request } from './sigv4-request';

export interface S3PostPolicyProxyOptions {
  /** The public S3 port clients use (e.g. 4569); 0 picks a free one. */
  listenPort: number;
  /** The emulator behind it, e.g. `http://127.0.0.1:4570`. */
  targetEndpoint: string;
  /** Every access key of the local account; the first is the one the state file names. */
  accessKeys: readonly PostCredentials[];
  /** The region requests must be signed for (the stack's). */
  region: string;
  host?: string;
  /** Clock for policy expiry, presigned-URL expiry and clock skew (tests). */
  now?: () => Date;
}

export interface RunningS3PostPolicyProxy {
  port: number;
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Puts AWS's authentication in front of the local S3 (s3rver checks no signature and stores any POST
 * unchecked): every request must be SigV4-signed by one of `accessKeys` (Authorization header or presigned
 * URL, sigv4-request.ts) or be a browser POST upload; anything else is refused with S3's XML error before
 * it reaches the emulator, as AWS refuses it for a private bucket. CORS preflights (OPTIONS) pass unsigned,
 * as in AWS. Browser POST uploads to `/<bucket>` go through policy, signature, expiry, condition and size checks
 * and are stored only when valid; a create-only PUT (`If-None-Match: *`, which s3rver ignores) answers 412
 * when the key exists (ConditionalPutGuard); every other request is proxied byte for byte to `targetEndpoint`.
 * Resolves once listening on 127.0.0.1 (or `host`).
 */
export async function startS3PostPolicyProxy(
  options: S3PostPolicyProxyOptions,
): Promise<RunningS3PostPolicyProxy> {
  const target = new URL(options.targetEndpoint);
  const spoolDirectory = await mkdtemp(join(tmpdir(), 'intake-s3-post-'));
  const now = options.now ?? (() => new Date());
  const context = { target, accessKeys: options.accessKeys, spoolDirectory, now };
  const authentication = { accessKeys: options.accessKeys, region: options.region, now };
  const conditionalPuts = new ConditionalPutGuard(target, (req, res) => proxy(req, res, target));
  const server = createServer((req, res) => {
    const bucket = postObjectBucket(req);
    if (bucket !== undefined) return void handlePostObject(req, res, bucket, context);
    const forward = () => {
      if (ConditionalPutGuard.applies(req))
        return conditionalPuts.handle(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('the local S3 emulator is unreachable');
        });
      return proxy(req, res, target);
    };
    if (req.method === 'OPTIONS') return void forward();
    void verifySigV4Request(req, authentication).then(forward, (error: unknown) => refuse(req, res, error));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.listenPort;
  return {
    port,
    endpoint: `http://${host}:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(spoolDirectory, { recursive: true, force: true });
    },
  };
}

/** Answers a request that failed authentication with S3's XML error; its body is drained, never stored. */
function refuse(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  req.resume();
  const s3Error =
    error instanceof S3PostError
      ? error
      : new S3PostError(500, 'InternalError', 'We encountered an internal error. Please try again.');
  const cors = req.headers.origin ? { 'access-control-allow-origin': '*' } : {};
  res.writeHead(s3Error.statusCode, { 'content-type': 'application/xml', ...cors }).end(s3ErrorXml(s3Error));
}

/** The bucket of a browser POST upload (`POST /<bucket>` with a multipart body, path-style), if it is one. */
function postObjectBucket(req: IncomingMessage): string | undefined {
  if (req.method !== 'POST' || !/^multipart\/form-data/i.test(req.headers['content-type'] ?? ''))
    return undefined;
  const match = /^\/([^/?]+)\/?$/.exec(req.url ?? '');
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/**
 * Forwards the request unchanged; resolves once the answer has been sent (or the emulator was unreachable).
 * A body whose signature declared its SHA-256 is checked on the way (PayloadHashCheck): a mismatch
 * answers 400 XAmzContentSHA256Mismatch and the emulator never gets the whole body.
 */
function proxy(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
  return new Promise((resolve) => {
    let bodyRefused: S3PostError | undefined;
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on('end', resolve);
        response.on('error', () => resolve());
      },
    );
    upstream.on('error', () => {
      if (bodyRefused) refuse(req, res, bodyRefused);
      else {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('the local S3 emulator is unreachable');
      }
      resolve();
    });
    const declared = req.headers['x-amz-content-sha256'];
    if (!PayloadHashCheck.declaresDigest(declared)) return void req.pipe(upstream);
    const check = new PayloadHashCheck(declared);
    check.on('error', (error) => {
      bodyRefused = error as S3PostError;
      upstream.destroy(error as Error);
    });
    req.pipe(check).pipe(upstream);
  });
}
