import type { Readable } from 'node:stream';
import { NotFoundError } from '../../errors';

/**
 * The storage port: the object operations intake (and any Node service) needs from an object store.
 * Handlers depend on this interface (or the few methods of it they call); `S3ObjectStorage` serves it on
 * S3, `FilesystemObjectStorage` on a local folder for tools and tests. Issuing upload forms
 * (`UploadForms`) and download URLs (`DownloadUrls`) are ports of their own. Every method takes an
 * AbortSignal and fails only with the typed errors of `src/errors.ts` (NotFoundError for a missing object,
 * InvalidRequestError for a bad key or argument…).
 */
export interface ObjectStorage {
  /** Stores `body` under `key` (replacing any object there); multipart above the adapter's threshold. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult>;
  /** Streams the object (or a byte range of it). Throws NotFoundError when absent. */
  get(key: string, options?: GetOptions): Promise<ObjectStream>;
  /** Reads the object (or a byte range of it) into memory: for small objects only. */
  getBytes(key: string, options?: GetOptions): Promise<Buffer>;
  /** True when an object is stored under `key`; false (never a throw) when it is not. */
  exists(key: string, options?: CallOptions): Promise<boolean>;
  /** Copies within the store; keeps metadata, content type and tags unless the options replace them. */
  copy(sourceKey: string, targetKey: string, options?: CopyOptions): Promise<CopyResult>;
  /** Deletes the object; deleting an absent key succeeds (as in S3). */
  delete(key: string, options?: CallOptions): Promise<void>;
  /**
   * Erases everything stored under `prefix`: every version and delete marker (S3: ListObjectVersions
   * pages + DeleteObjects by VersionId; an unversioned bucket lists each object once, as version "null").
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
  /**
   * The exact length of a stream body, when known (a GET's Content-Length): below the multipart threshold
   * the stream then goes in one PutObject as it arrives, instead of being collected first. A stream of
   * another length fails the put (InvalidRequestError) and nothing is stored under `key`.
   */
  contentLength?: number;
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

/** True once `lookup` finds the object, false when it fails with NotFoundError: how each adapter implements `exists`. */
export async function foundBy(lookup: Promise<unknown>): Promise<boolean> {
  try {
    await lookup;
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
