import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsChunkedDecoder } from './aws-chunked';
import { ifMatchFailure } from './conditional-get';
import { ConditionalPutGuard } from './conditional-put';
import { answerListObjectVersions, listObjectVersionsBucket } from './list-object-versions';
import { objectPutPath, objectWriteForwarding, type Forwarding } from './object-tagging';
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
 * and are stored only when valid. Where s3rver 3.7.1 answers otherwise than S3, the request is translated
 * so that the answer is S3's: a create-only PUT (`If-None-Match: *`) answers 412 when the key exists
 * (conditional-put.ts), a read with `If-Match` 412 when the emulator's answer carries another ETag (conditional-get.ts), object
 * tags of PutObject and CopyObject and the copy source's encoding (object-tagging.ts), ListObjectVersions
 * (list-object-versions.ts) and aws-chunked bodies (aws-chunked.ts). Every other request is proxied byte
 * for byte to `targetEndpoint`. Resolves once listening on 127.0.0.1 (or `host`).
 */
export async function startS3PostPolicyProxy(
  options: S3PostPolicyProxyOptions,
): Promise<RunningS3PostPolicyProxy> {
  const target = new URL(options.targetEndpoint);
  const spoolDirectory = await mkdtemp(join(tmpdir(), 'intake-s3-post-'));
  const now = options.now ?? (() => new Date());
  const context = { target, accessKeys: options.accessKeys, spoolDirectory, now };
  const authentication = { accessKeys: options.accessKeys, region: options.region, now };
  const forwardObjectRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const path = objectPutPath(req);
    return proxy(
      req,
      res,
      target,
      path === undefined ? undefined : await objectWriteForwarding(req, path, target),
    );
  };
  const conditionalPuts = new ConditionalPutGuard(target, forwardObjectRequest);
  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const versionsOf = listObjectVersionsBucket(req);
    if (versionsOf !== undefined) return answerListObjectVersions(req, res, versionsOf, target);
    if (ConditionalPutGuard.applies(req)) return conditionalPuts.handle(req, res);
    return forwardObjectRequest(req, res);
  };
  const server = createServer((req, res) => {
    const bucket = postObjectBucket(req);
    if (bucket !== undefined) return void handlePostObject(req, res, bucket, context);
    const answer = () =>
      forward(req, res).catch((error: unknown) => {
        if (error instanceof S3PostError) return refuse(req, res, error);
        req.resume();
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('the local S3 emulator is unreachable');
      });
    if (req.method === 'OPTIONS') return void answer();
    void verifySigV4Request(req, authentication).then(answer, (error: unknown) => refuse(req, res, error));
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
 * Forwards the request to the emulator (with `forwarding`'s headers, and its step after a success, see
 * object-tagging.ts); resolves once the answer has been sent (or the emulator was unreachable). A body
 * whose signature declared its SHA-256 is checked on the way (PayloadHashCheck): a mismatch answers 400
 * XAmzContentSHA256Mismatch and the emulator never gets the whole body. An aws-chunked body is decoded to
 * the object's bytes (AwsChunkedDecoder), as S3 stores them.
 */
function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  forwarding: Forwarding = { headers: req.headers },
): Promise<void> {
  return new Promise((resolve) => {
    let bodyRefused: S3PostError | undefined;
    const chunked = AwsChunkedDecoder.applies(req.headers);
    const answer = async (response: IncomingMessage) => {
      const status = response.statusCode ?? 502;
      const preconditionFailed = ifMatchFailure(req, response);
      if (preconditionFailed) {
        response.resume();
        return refuse(req, res, preconditionFailed);
      }
      if (forwarding.afterSuccess && status >= 200 && status < 300) {
        // The emulator's answer (CopyObject's result document) waits until the follow-up has succeeded.
        const chunks: Buffer[] = [];
        for await (const chunk of response) chunks.push(chunk as Buffer);
        const failed = await forwarding.afterSuccess().then(
          () => false,
          () => true,
        );
        if (failed) return refuse(req, res, undefined);
        res.writeHead(status, response.headers).end(Buffer.concat(chunks));
        return;
      }
      res.writeHead(status, response.headers);
      response.pipe(res);
      await new Promise((done) => response.on('end', done).on('error', done));
    };
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: chunked ? AwsChunkedDecoder.decodedHeaders(forwarding.headers) : forwarding.headers,
      },
      (response) => void answer(response).then(resolve),
    );
    upstream.on('error', () => {
      if (bodyRefused) refuse(req, res, bodyRefused);
      else {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('the local S3 emulator is unreachable');
      }
      resolve();
    });
    const refuseBody = (error: Error) => {
      bodyRefused = error as S3PostError;
      upstream.destroy(error);
    };
    let body: Readable = req;
    const declared = req.headers['x-amz-content-sha256'];
    if (PayloadHashCheck.declaresDigest(declared))
      body = body.pipe(new PayloadHashCheck(declared).on('error', refuseBody));
    if (chunked) body = body.pipe(new AwsChunkedDecoder().on('error', refuseBody));
    body.pipe(upstream);
  });
}
