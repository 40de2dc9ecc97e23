import type { ServerSideEncryption, Tag } from '@aws-sdk/client-s3';
import type { Encryption } from './object-storage';

/** The SDK's SSE parameters for an encryption choice (none when undefined). */
export function encryptionParams(encryption: Encryption | undefined): {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
} {
  if (!encryption) return {};
  if (encryption.type === 'AES256') return { ServerSideEncryption: 'AES256' };
  return { ServerSideEncryption: 'aws:kms', ...(encryption.keyId ? { SSEKMSKeyId: encryption.keyId } : {}) };
}

/**
 * The SSE headers a presigned request or POST form must carry: S3 checks them against the signature, and
 * a bucket policy that requires encryption refuses uploads without them.
 */
export function encryptionHeaders(encryption: Encryption | undefined): Record<string, string> {
  const { ServerSideEncryption: type, SSEKMSKeyId: keyId } = encryptionParams(encryption);
  return {
    ...(type ? { 'x-amz-server-side-encryption': type } : {}),
    ...(keyId ? { 'x-amz-server-side-encryption-aws-kms-key-id': keyId } : {}),
  };
}

/** Tags as S3's TagSet. */
export function toTagSet(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** S3's TagSet as a plain record. */
export function fromTagSet(tagSet: Tag[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of tagSet ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
  return tags;
}

/** Tags as the URL-encoded query string of the x-amz-tagging header. */
export function taggingHeader(tags: Record<string, string>): string {
  return new URLSearchParams(tags).toString().replace(/\+/g, '%20');
}

/** CopyObject's `CopySource`: bucket and key, each path segment URL-encoded (spaces, unicode, `+`, `%`). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
