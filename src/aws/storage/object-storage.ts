import type { Readable } from 'node:stream';

/**
 * The storage port: what intake (and any Node service) needs from an object store. Handlers depend on
 * this interface; `S3ObjectStorage` serves it in AWS and on s3rver, `FilesystemObjectStorage` on a local
 * folder for tools and tests. Every method takes an AbortSignal and fails only with the typed errors of
 * `src/errors.ts` (NotFoundError for a missing object, InvalidRequestError for a bad key or argument…).
 */
export interface ObjectStorage {
  /** Stores `body` under `key` (replacing any object there); multipart above the adapter's threshold. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult>;
  /** Streams the object (or a byte range of it). Throws NotFoundError when absent. */
  get(key: string, options?: GetOptions): Promise<ObjectStream>;
  /** Reads the object (or a byte range of it) into memory: for small objects only. */
  getBytes(key: string, options?: GetOptions): Promise<Buffer>;
  /** The object's attributes without its body. Throws NotFoundError when absent. */
  head(key: string, options?: CallOptions): Promise<ObjectHead>;
  /** True when an object is stored under `key`; false (never a throw) when it is not. */
  exists(key: string, options?: CallOptions): Promise<boolean>;
  /** Copies within the store; keeps metadata, content type and tags unless the options replace them. */
  copy(sourceKey: string, targetKey: string, options?: CopyOptions): Promise<CopyResult>;
  /** Deletes the object; deleting an absent key succeeds (as in S3). */
  delete(key: string, options?: CallOptions): Promise<void>;
  /** Deletes many keys (S3: batches of 1000); per-key failures are reported, not thrown. */
  deleteMany(keys: readonly string[], options?: CallOptions): Promise<DeleteManyResult>;
  /**
   * Erases everything stored under `prefix`: in a versioned bucket every version and delete marker (S3:
   * ListObjectVersions pages + DeleteObjects by VersionId), where there are no versions the objects.
   * A plain delete would leave the content readable as noncurrent versions until a lifecycle rule expires
   * them. Per-object failures are reported, not thrown; an empty prefix is refused (InvalidRequestError).
   */
  deleteEveryVersion(prefix: string, options?: CallOptions): Promise<DeleteManyResult>;
  /** The object's tags as a plain record. */
  getTags(key: string, options?: CallOptions): Promise<Record<string, string>>;
  /** Replaces the object's tags. */
  putTags(key: string, tags: Record<string, string>, options?: CallOptions): Promise<void>;
  /** One page of objects whose key starts with `prefix`, in S3 key order; pass `cursor` for the next. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Every object under `prefix`, page after page. */
  listAll(prefix: string, options?: ListAllOptions): AsyncIterable<ListItem>;
  /** A URL that downloads the object without credentials until it expires. */
  presignGet(key: string, options?: PresignGetOptions): Promise<PresignedRequest>;
  /** A URL (plus headers the uploader must send) that stores one object under `key`. */
  presignPut(key: string, options?: PresignPutOptions): Promise<PresignedRequest>;
  /** A browser-form upload (url + fields) bounded in size, type, key and time by a signed policy. */
  presignPost(options: PresignPostOptions): Promise<PresignedPost>;
  /** The CDN URL of the object when a CDN is configured (signed when keys are), else a presigned GET. */
  urlFor(key: string, options?: UrlOptions): Promise<string>;
}

export type ObjectBody = Buffer | Uint8Array | string | Readable;

/** Server-side encryption: S3-managed keys, or KMS (the bucket's default key when `keyId` is absent). */
export type Encryption = { type: 'AES256' } | { type: 'aws:kms'; keyId?: string };

export interface CallOptions {
  signal?: AbortSignal;
}

export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** Total bytes, when known up front. */
  total?: number;
  /** Multipart part number the event is about. */
  part?: number;
}

export interface PutOptions extends CallOptions {
  /** Defaults to application/octet-stream. */
  contentType?: string;
  /** User metadata (x-amz-meta-*): keys are lowercased, values must be ASCII (S3 sends them as headers). */
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  encryption?: Encryption;
  cacheControl?: string;
  contentDisposition?: string;
  onProgress?: (progress: UploadProgress) => void;
  /**
   * `'*'`: create only — PreconditionFailedError when an object already exists under `key` (S3
   * `If-None-Match: *`, atomic). For bodies below the multipart threshold only (else InvalidRequestError).
   */
  ifNoneMatch?: '*';
}

export interface PutResult {
  key: string;
  /** Quoted, as S3 returns it (`"<md5>"` for a single-part object). */
  etag: string;
  versionId?: string;
  size: number;
}

/** Inclusive byte range, like the HTTP Range header; `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetOptions extends CallOptions {
  range?: ByteRange;
  /** Only read if the object still has this ETag (PreconditionFailedError otherwise). */
  ifMatch?: string;
}

export interface ObjectStream {
  body: Readable;
  /** Bytes in `body` (the range length for a ranged read). */
  contentLength: number;
  /** Size of the whole object. */
  size: number;
  contentType: string;
  etag: string;
  metadata: Record<string, string>;
  versionId?: string;
}

export interface ObjectHead {
  key: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
  storageClass: string;
  lastModified: Date;
  versionId?: string;
  cacheControl?: string;
  encryption?: Encryption;
}

export interface CopyOptions extends CallOptions {
  /** Replaces the metadata (the content type is kept unless given too). */
  metadata?: Record<string, string>;
  contentType?: string;
  /** Replaces the tags. */
  tags?: Record<string, string>;
  encryption?: Encryption;
}

export interface CopyResult {
  key: string;
  etag: string;
  versionId?: string;
}

export interface DeleteManyResult {
  deleted: string[];
  errors: { key: string; code: string; message: string }[];
}

export interface ListOptions extends CallOptions {
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** Page size, 1–1000 (default 1000). */
  limit?: number;
}

export type ListAllOptions = Omit<ListOptions, 'cursor'>;

export interface ListItem {
  key: string;
  size: number;
  lastModified: Date;
  etag: string;
  storageClass: string;
}

export interface ListPage {
  items: ListItem[];
  /** Present when there is a next page. */
  cursor?: string;
}

export interface PresignGetOptions extends CallOptions {
  /** Seconds, 1 s to 7 days (default 900). */
  expiresIn?: number;
  /** Content-Disposition of the response, e.g. `attachment; filename="a.pdf"`. */
  responseContentDisposition?: string;
  responseContentType?: string;
}

export interface PresignPutOptions extends CallOptions {
  expiresIn?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  encryption?: Encryption;
}

export interface PresignedRequest {
  url: string;
  method: 'GET' | 'PUT';
  /** Headers the client must send with the request (signed SSE headers, content type). */
  headers: Record<string, string>;
  expiresAt: Date;
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

export interface UrlOptions extends CallOptions {
  /** Seconds (default 3600): for a signed CDN URL or the presigned GET. */
  expiresIn?: number;
  /**
   * Response headers the presigned GET makes S3 send (`response-content-disposition`,
   * `response-content-type`). A CDN URL cannot carry them: the object's stored headers apply there.
   */
  responseContentDisposition?: string;
  responseContentType?: string;
}

export const DEFAULT_PRESIGN_EXPIRES_IN = 900;
export const DEFAULT_URL_EXPIRES_IN = 3600;
export const MAX_LIST_LIMIT = 1000;

/** Every item under `prefix`, page after page through `storage.list`: how each adapter implements `listAll`. */
export async function* listEveryPage(
  storage: Pick<ObjectStorage, 'list'>,
  prefix: string,
  options: ListAllOptions,
): AsyncIterable<ListItem> {
  let cursor: string | undefined;
  do {
    const page = await storage.list(prefix, { ...options, cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}
