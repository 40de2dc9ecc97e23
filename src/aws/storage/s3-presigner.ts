import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { toIntegrationError } from '../error-mapping';
import { InvalidRequestError } from '../../errors';
import {
  assertValidKey,
  assertValidSizeRange,
  boundedExpiresIn,
  normaliseMetadata,
  type ArgumentContext,
} from './arguments';
import { encryptionHeaders, encryptionParams } from './s3-attributes';
import {
  DEFAULT_PRESIGN_EXPIRES_IN,
  type Encryption,
  type PresignGetOptions,
  type PresignPostOptions,
  type PresignPutOptions,
  type PresignedPost,
  type PresignedRequest,
} from './object-storage';

/*
 * Presigning is local computation (no request leaves the process), so the AbortSignal is only checked up
 * front. The client used here must compute checksums only WHEN_REQUIRED: with the SDK default a presigned
 * PUT carries a CRC32 of an empty body in its query string and every real upload to it fails.
 */

const FILENAME_PLACEHOLDER = '${filename}';

type PolicyCondition = NonNullable<PresignedPostOptions['Conditions']>[number];

function context(operation: string, resource?: string): ArgumentContext {
  return { service: 's3', operation, ...(resource !== undefined ? { resource } : {}) };
}

function expiresAt(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

/** Runs one presign: an aborted signal or any failure leaves as a typed IntegrationError. */
async function presigning<T>(
  ctx: ArgumentContext,
  signal: AbortSignal | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await run();
  } catch (error) {
    throw toIntegrationError(error, ctx);
  }
}

/** A presigned GET of `key`; the response headers can be overridden (download filename, type). */
export async function presignGetObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: PresignGetOptions = {},
): Promise<PresignedRequest> {
  const ctx = context('PresignGetObject', key);
  return presigning(ctx, options.signal, async () => {
    assertValidKey(key, ctx);
    const expiresIn = boundedExpiresIn(options.expiresIn, DEFAULT_PRESIGN_EXPIRES_IN, ctx);
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentDisposition: options.responseContentDisposition,
      ResponseContentType: options.responseContentType,
    });
    const url = await getSignedUrl(client, command, { expiresIn });
    return { url, method: 'GET', headers: {}, expiresAt: expiresAt(expiresIn) };
  });
}

/**
 * A presigned PUT of `key`. The SSE headers are signed as headers, not query parameters (S3 requires
 * that), so the uploader must send every header in `headers` — content type included.
 */
export async function presignPutObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: PresignPutOptions & { defaultEncryption?: Encryption } = {},
): Promise<PresignedRequest> {
  const ctx = context('PresignPutObject', key);
  return presigning(ctx, options.signal, async () => {
    assertValidKey(key, ctx);
    const expiresIn = boundedExpiresIn(options.expiresIn, DEFAULT_PRESIGN_EXPIRES_IN, ctx);
    const metadata = normaliseMetadata(options.metadata, ctx);
    const encryption = options.encryption ?? options.defaultEncryption;
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ContentType: options.contentType,
      Metadata: metadata,
      ...encryptionParams(encryption),
    });
    const url = await getSignedUrl(client, command, { expiresIn });
    const headers = {
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...encryptionHeaders(encryption),
    };
    return { url, method: 'PUT', headers, expiresAt: expiresAt(expiresIn) };
  });
}

/**
 * A presigned POST form whose policy bounds the upload: size in [minSize (default 1), maxSize], exact
 * content type or a type prefix, exact key or a key prefix completed by the form's filename, expiry in
 * [1 s, 7 days], and the SSE fields the bucket requires (so a bucket policy that insists on them accepts
 * the upload). Every field returned is covered by a policy condition.
 */
export async function presignPostObject(
  client: S3Client,
  bucket: string,
  options: PresignPostOptions & { defaultEncryption?: Encryption },
): Promise<PresignedPost> {
  const ctx = context('PresignPostObject', options.key ?? options.keyPrefix);
  return presigning(ctx, options.signal, async () => {
    const key = postKey(options, ctx);
    const expiresIn = boundedExpiresIn(options.expiresIn, DEFAULT_PRESIGN_EXPIRES_IN, ctx);
    const minSize = options.minSize ?? 1;
    assertValidSizeRange(minSize, options.maxSize, ctx);
    if (options.contentType !== undefined && options.contentTypePrefix !== undefined) {
      throw new InvalidRequestError('Give either contentType or contentTypePrefix, not both', ctx);
    }
    const metadata = normaliseMetadata(options.metadata, ctx);
    const fields: Record<string, string> = {
      ...(options.contentType !== undefined ? { 'Content-Type': options.contentType } : {}),
      ...encryptionHeaders(options.encryption ?? options.defaultEncryption),
      ...Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value])),
      ...(options.successActionStatus !== undefined
        ? { success_action_status: String(options.successActionStatus) }
        : {}),
    };
    const conditions: PolicyCondition[] = [
      { bucket },
      ['content-length-range', minSize, options.maxSize],
      ...(options.contentTypePrefix !== undefined
        ? [['starts-with', '$Content-Type', options.contentTypePrefix] as PolicyCondition]
        : []),
    ];
    // createPresignedPost adds a condition for every field and for the key (exact, or starts-with up to ${filename}).
    const post = await createPresignedPost(client, {
      Bucket: bucket,
      Key: key,
      Conditions: conditions,
      Fields: fields,
      Expires: expiresIn,
    });
    return { url: post.url, fields: post.fields, key, expiresAt: expiresAt(expiresIn) };
  });
}

function postKey(options: PresignPostOptions, ctx: ArgumentContext): string {
  if ((options.key === undefined) === (options.keyPrefix === undefined)) {
    throw new InvalidRequestError('Give exactly one of key or keyPrefix', ctx);
  }
  if (options.key !== undefined) {
    assertValidKey(options.key, ctx);
    if (options.key.includes(FILENAME_PLACEHOLDER)) {
      throw new InvalidRequestError('An exact key must not contain ${filename}; use keyPrefix', ctx);
    }
    return options.key;
  }
  const prefix = options.keyPrefix!;
  assertValidKey(`${prefix}${FILENAME_PLACEHOLDER}`, ctx);
  return `${prefix}${FILENAME_PLACEHOLDER}`;
}
