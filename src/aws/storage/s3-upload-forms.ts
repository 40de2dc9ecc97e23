import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { getS3Client } from '../clients';
import { InvalidRequestError } from '../../errors';
import {
  assertValidKey,
  assertValidSizeRange,
  boundedExpiresIn,
  normaliseMetadata,
  type ArgumentContext,
} from './arguments';
import type { Encryption } from './object-storage';
import { encryptionHeaders } from './s3-attributes';
import { expiresAt, presigning } from './s3-presigner';
import {
  DEFAULT_PRESIGN_EXPIRES_IN,
  type PresignedPost,
  type PresignPostOptions,
  type UploadForms,
} from './upload-forms';

const FILENAME_PLACEHOLDER = '${filename}';

type PolicyCondition = NonNullable<PresignedPostOptions['Conditions']>[number];

export interface S3UploadFormsOptions {
  bucket: string;
  /** Its region, credentials and endpoint sign the forms (default: the process-wide client of src/aws/clients.ts). */
  client?: S3Client;
  /** Encryption the bucket requires: its SSE fields go into every form that does not choose one. */
  encryption?: Encryption;
}

/** The S3 adapter of the upload-forms port: presigned POST policies (`@aws-sdk/s3-presigned-post`). */
export class S3UploadForms implements UploadForms {
  readonly bucket: string;

  constructor(private readonly options: S3UploadFormsOptions) {
    this.bucket = options.bucket;
  }

  /**
   * A presigned POST form whose policy bounds the upload: size in [minSize (default 1), maxSize], exact
   * content type or a type prefix, exact key or a key prefix completed by the form's filename, expiry in
   * [1 s, 7 days], and the SSE fields the bucket requires (so a bucket policy that insists on them accepts
   * the upload). Every field returned is covered by a policy condition.
   */
  async presignPost(options: PresignPostOptions): Promise<PresignedPost> {
    const ctx: ArgumentContext = {
      service: 's3',
      operation: 'PresignPostObject',
      resource: options.key ?? options.keyPrefix ?? this.bucket,
    };
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
        ...encryptionHeaders(options.encryption ?? this.options.encryption),
        ...Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value])),
        ...(options.successActionStatus !== undefined
          ? { success_action_status: String(options.successActionStatus) }
          : {}),
      };
      const conditions: PolicyCondition[] = [
        { bucket: this.bucket },
        ['content-length-range', minSize, options.maxSize],
        ...(options.contentTypePrefix !== undefined
          ? [['starts-with', '$Content-Type', options.contentTypePrefix] as PolicyCondition]
          : []),
      ];
      // createPresignedPost adds a condition for every field and for the key (exact, or starts-with up to ${filename}).
      const post = await createPresignedPost(this.options.client ?? getS3Client(), {
        Bucket: this.bucket,
        Key: key,
        Conditions: conditions,
        Fields: fields,
        Expires: expiresIn,
      });
      return { url: post.url, fields: post.fields, key, expiresAt: expiresAt(expiresIn) };
    });
  }
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
