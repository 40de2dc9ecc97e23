import { rm } from 'node:fs/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { decodePostPolicy } from './policy-document';
import { checkContentLength, checkPolicy } from './policy-conditions';
import { verifyPostSignature, type PostCredentials } from './post-signature';
import { S3PostError, escapeXml, s3ErrorXml } from './s3-post-error';
import { UploadSpool } from './upload-spool';

export interface PostObjectContext {
  target: URL;
  /** Every access key of the local account. */
  accessKeys: readonly PostCredentials[];
  spoolDirectory: string;
  now: () => Date;
}

// Form fields that become headers of the stored object, as S3 maps them.
const HEADER_FIELDS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'expires'];
const HEADER_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-storage-class', 'x-amz-acl'];

/**
 * Handles one browser-style POST upload (multipart/form-data to `/<bucket>`) as S3 does: fields before
 * the file are read, the policy decoded and its signature, expiry and conditions checked before a byte
 * of the file is kept; the file is spooled (in memory up to a few MB, else to a temporary file:
 * upload-spool.ts) while its size is checked against content-length-range; only a fully valid upload is
 * stored, with one PUT to the emulator (`${filename}` substituted). Failures answer with S3's status, code and XML body, and
 * nothing is stored.
 */
export async function handlePostObject(
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  context: PostObjectContext,
): Promise<void> {
  const spoolPath = join(context.spoolDirectory, randomUUID());
  try {
    const upload = await receiveUpload(req, bucket, context, spoolPath);
    checkContentLength(upload.receivedBytes, upload.range);
    const stored = await storeObject(context.target, bucket, upload.key, upload.fields, upload.spool);
    respondStored(res, req, bucket, upload.key, upload.fields, stored);
  } catch (error) {
    respondError(res, req, error);
  } finally {
    await rm(spoolPath, { force: true });
  }
}

interface ReceivedUpload {
  key: string;
  fields: Map<string, string>;
  range: { min: number; max: number };
  receivedBytes: number;
  /** The file's bytes (all of them: the size was within the range). */
  spool: UploadSpool;
}

function receiveUpload(
  req: IncomingMessage,
  bucket: string,
  context: PostObjectContext,
  spoolPath: string,
): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let spooled: Promise<ReceivedUpload> | undefined;
    let failure: unknown;
    let parser: busboy.Busboy;
    try {
      // Browsers send the file name as raw UTF-8 bytes; busboy would read them as latin1 by default.
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: 20 * 1024, fields: 200, fieldNameSize: 200 },
      });
    } catch {
      reject(malformedPost());
      return;
    }
    parser.on('field', (name, value) => {
      // S3 ignores fields after the file; names are case-insensitive.
      if (!spooled) fields.set(name.toLowerCase(), value);
    });
    parser.on('file', (name, file, info) => {
      if (spooled || failure || name.toLowerCase() !== 'file') return void file.resume();
      try {
        const key = requiredKey(fields);
        const range = authorise(fields, bucket, context);
        const finalKey = key.replace(/\$\{filename\}/g, info.filename ?? '');
        const target = new UploadSpool(spoolPath);
        spooled = spool(file, target, range.max).then((receivedBytes) => ({
          key: finalKey,
          fields,
          range,
          receivedBytes,
          spool: target,
        }));
        spooled.catch(() => undefined); // observed below, once the form is fully read
      } catch (error) {
        failure = error;
        file.resume();
      }
    });
    parser.on('error', () => {
      req.resume();
      reject(malformedPost());
    });
    parser.on('close', () => {
      if (failure) return reject(failure);
      if (!spooled) {
        return reject(
          new S3PostError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', {
            ArgumentName: 'file',
          }),
        );
      }
      spooled.then(resolve, reject);
    });
    req.pipe(parser);
  });
}

const malformedPost = () =>
  new S3PostError(
    400,
    'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.',
  );

function requiredKey(fields: Map<string, string>): string {
  const key = fields.get('key');
  if (!key) {
    throw new S3PostError(400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.", {
      ArgumentName: 'key',
    });
  }
  return key;
}

/** Policy present, signature valid, conditions met: the content-length-range to enforce. */
function authorise(fields: Map<string, string>, bucket: string, context: PostObjectContext) {
  const policyBase64 = fields.get('policy');
  if (!policyBase64) {
    // Without a policy the POST is anonymous: the bucket blocks public access, as ours does on AWS.
    throw new S3PostError(403, 'AccessDenied', 'Access Denied');
  }
  const policy = decodePostPolicy(policyBase64);
  verifyPostSignature(fields, context.accessKeys);
  return checkPolicy(policy, fields, bucket, context.now());
}

/**
 * Spools the file part while counting it; past `maxBytes` it stops keeping it (there is no point) but
 * keeps reading, so the client's request completes and gets S3's answer. Resolves with the full size.
 */
async function spool(file: Readable, target: UploadSpool, maxBytes: number): Promise<number> {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(null, received <= maxBytes ? chunk : undefined);
    },
  });
  await pipeline(file, counter, target);
  return received;
}

interface StoredObject {
  etag: string | undefined;
  versionId: string | undefined;
}

async function storeObject(
  target: URL,
  bucket: string,
  key: string,
  fields: Map<string, string>,
  spool: UploadSpool,
): Promise<StoredObject> {
  const headers: Record<string, string> = {
    'content-length': String(spool.size),
    'content-type': fields.get('content-type') ?? 'binary/octet-stream',
  };
  for (const [name, value] of fields) {
    if (HEADER_FIELDS.includes(name) || HEADER_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      headers[name === 'acl' ? 'x-amz-acl' : name] = value;
    }
  }
  const path = `/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
  const response = await send(target, 'PUT', path, headers, spool.body());
  const tagging = fields.get('tagging');
  if (tagging) {
    const body = Buffer.from(tagging, 'utf8');
    await send(
      target,
      'PUT',
      `${path}?tagging`,
      { 'content-length': String(body.length), 'content-type': 'application/xml' },
      body,
    );
  }
  return {
    etag: headerValue(response.headers.etag),
    versionId: headerValue(response.headers['x-amz-version-id']),
  };
}

function send(
  target: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Readable | Buffer,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      { hostname: target.hostname, port: target.port, method, path, headers },
      (response) => {
        if ((response.statusCode ?? 500) < 300) {
          response.resume();
          return resolve(response);
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          reject(new UpstreamError(response.statusCode ?? 502, Buffer.concat(chunks))),
        );
      },
    );
    upstream.on('error', reject);
    if (Buffer.isBuffer(body)) upstream.end(body);
    else body.on('error', reject).pipe(upstream);
  });
}

/** The emulator refused the PUT: its own S3 answer is passed on as is. */
class UpstreamError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Buffer,
  ) {
    super(`the local S3 answered ${statusCode}`);
  }
}

function respondStored(
  res: ServerResponse,
  req: IncomingMessage,
  bucket: string,
  key: string,
  fields: Map<string, string>,
  stored: StoredObject,
): void {
  const location = `http://${req.headers.host ?? 'localhost'}/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
  const headers: Record<string, string> = { location, ...corsHeaders(req) };
  if (stored.etag) headers.etag = stored.etag;
  if (stored.versionId) headers['x-amz-version-id'] = stored.versionId;
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect) {
    const url = new URL(redirect);
    url.searchParams.set('bucket', bucket);
    url.searchParams.set('key', key);
    if (stored.etag) url.searchParams.set('etag', stored.etag);
    res.writeHead(303, { ...headers, location: url.toString() }).end();
    return;
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location>` +
      `<Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(stored.etag ?? '')}</ETag></PostResponse>`;
    res.writeHead(201, { ...headers, 'content-type': 'application/xml' }).end(xml);
    return;
  }
  res.writeHead(status === '200' ? 200 : 204, headers).end();
}

function respondError(res: ServerResponse, req: IncomingMessage, error: unknown): void {
  if (error instanceof UpstreamError) {
    res
      .writeHead(error.statusCode, { 'content-type': 'application/xml', ...corsHeaders(req) })
      .end(error.body);
    return;
  }
  const s3Error =
    error instanceof S3PostError
      ? error
      : new S3PostError(500, 'InternalError', 'We encountered an internal error. Please try again.');
  res
    .writeHead(s3Error.statusCode, { 'content-type': 'application/xml', ...corsHeaders(req) })
    .end(s3ErrorXml(s3Error));
}

/** The documents bucket allows browser uploads from any origin (serverless/resources.yml CorsConfiguration). */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  return req.headers.origin
    ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag' }
    : {};
}

/** A key as a URL path: each segment percent-encoded, slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
