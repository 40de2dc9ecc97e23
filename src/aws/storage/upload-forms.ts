import type { CallOptions, Encryption } from './object-storage';

/**
 * The upload-forms port: lets a client with no credentials of its own store one object, bounded in key,
 * size, type and time by a policy signed with ours (S3: a presigned POST). `S3UploadForms` serves it.
 */
export interface UploadForms {
  /** A browser-form upload (url + fields) bounded in size, type, key and time by a signed policy. */
  presignPost(options: PresignPostOptions): Promise<PresignedPost>;
}

export interface PresignPostOptions extends CallOptions {
  /** The exact key to store; or give `keyPrefix` to let the form's filename complete it. */
  key?: string;
  /** Uploads land at `<keyPrefix><filename>` (S3 substitutes `${filename}`). */
  keyPrefix?: string;
  /** Exact Content-Type the upload must declare. */
  contentType?: string;
  /** Or a prefix it must start with (e.g. `image/`). */
  contentTypePrefix?: string;
  /** Bytes (default 1: empty uploads are refused). */
  minSize?: number;
  maxSize: number;
  /** Seconds, 1 s to 7 days (default 900). */
  expiresIn?: number;
  metadata?: Record<string, string>;
  encryption?: Encryption;
  /** HTTP status S3 answers a successful upload with (default 204). */
  successActionStatus?: 200 | 201 | 204;
}

export interface PresignedPost {
  url: string;
  /** Form fields to send before the file field, in this order. */
  fields: Record<string, string>;
  /** The key (or key template ending in `${filename}`) the upload is stored under. */
  key: string;
  expiresAt: Date;
}

export const DEFAULT_PRESIGN_EXPIRES_IN = 900;
