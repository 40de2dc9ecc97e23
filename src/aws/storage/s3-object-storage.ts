import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { getS3Client } from '../clients';
import { toIntegrationError } from '../error-mapping';
import { InvalidRequestError } from '../../errors';
import {
  assertErasablePrefix,
  assertValidKey,
  assertValidRange,
  assertValidTags,
  boundedListLimit,
  normaliseMetadata,
  rangeHeader,
  type ArgumentContext,
} from './arguments';
import { countingStream, exactLengthStream, prepareBody, withMappedErrors, wrongLengthError } from './body';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import {
  MAX_LIST_LIMIT,
  type CallOptions,
  type CopyOptions,
  type CopyResult,
  type DeleteManyResult,
  type Encryption,
  type GetOptions,
  type ListAllOptions,
  type ListItem,
  type ListOptions,
  type ListPage,
  type ObjectBody,
  type ObjectStorage,
  type ObjectStream,
  type PutOptions,
  type PutResult,
  foundBy,
  listEveryPage,
} from './object-storage';
import { copySource, encryptionParams, fromTagSet, taggingHeader, toTagSet } from './s3-attributes';

const MiB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MiB;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface S3ObjectStorageOptions {
  bucket: string;
  /** Defaults to the process-wide client of src/aws/clients.ts (shared retries, timeouts, endpoints). */
  client?: S3Client;
  /** Objects of at least this many bytes go multipart (default 8 MiB; streams go multipart past one part). */
  multipartThreshold?: number;
  /** Multipart part size, ≥ 5 MiB (default 8 MiB). */
  partSize?: number;
  /** Parts in flight at once (default 4); memory use is about queueSize × partSize. */
  queueSize?: number;
  /** Encryption the bucket requires: applied to puts and copies that do not choose one. */
  encryption?: Encryption;
}

/** The S3 adapter of the storage port (SDK v3), speaking S3 as AWS documents it. */
export class S3ObjectStorage implements ObjectStorage {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(private readonly options: S3ObjectStorageOptions) {
    this.bucket = options.bucket;
    this.client = options.client ?? getS3Client();
    this.partSize = Math.max(options.partSize ?? 8 * MiB, MIN_PART_SIZE);
    this.multipartThreshold = options.multipartThreshold ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    return this.call('PutObject', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      const metadata = normaliseMetadata(options.metadata, ctx);
      const tags = options.tags ?? {};
      assertValidTags(tags, ctx);
      const params = {
        Bucket: this.bucket,
        Key: key,
        ContentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
        Metadata: metadata,
        CacheControl: options.cacheControl,
        ContentDisposition: options.contentDisposition,
        ...encryptionParams(options.encryption ?? this.options.encryption),
      };
      const prepared = prepareBody(body);
      const single = this.singlePutBody(prepared, options.contentLength, ctx);
      if (single) {
        const { body: singleBody, size } = single;
        const hasTags = Object.keys(tags).length > 0;
        // A body cut short or too long reaches the SDK as a failed request: the length is the reason.
        const output = await this.client
          .send(
            new PutObjectCommand({
              ...params,
              Body: singleBody,
              ContentLength: size,
              ...(hasTags ? { Tagging: taggingHeader(tags) } : {}),
              ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
            }),
            { abortSignal: anySignal(options.signal, single.abort) },
          )
          .catch((error: unknown) => {
            throw single.failure?.() ?? error;
          });
        options.onProgress?.({ loaded: size, total: size, part: 1 });
        return { key, etag: output.ETag ?? '', versionId: output.VersionId, size };
      }
      if (options.ifNoneMatch) {
        throw new InvalidRequestError(
          'A create-only put (ifNoneMatch) takes a body below the multipart threshold',
          ctx,
        );
      }
      return this.uploadMultipart(
        key,
        prepared.kind === 'bytes' ? prepared.bytes : prepared.stream,
        params,
        tags,
        options,
      );
    });
  }

  /**
   * The body of a put that goes as one PutObject: bytes below the multipart threshold, or a stream whose
   * length the caller knows and is below it (streamed as it arrives, held to that length). Undefined: multipart.
   */
  private singlePutBody(
    prepared: ReturnType<typeof prepareBody>,
    contentLength: number | undefined,
    ctx: ArgumentContext,
  ):
    | { body: Uint8Array | Readable; size: number; abort?: AbortSignal; failure?: () => Error | undefined }
    | undefined {
    if (prepared.kind === 'bytes') {
      const size = prepared.bytes.byteLength;
      return size < this.multipartThreshold ? { body: prepared.bytes, size } : undefined;
    }
    if (contentLength === undefined || contentLength >= this.multipartThreshold) return undefined;
    // A wrong length aborts the request (the SDK would report a failed body stream as its own error).
    const controller = new AbortController();
    let failure: InvalidRequestError | undefined;
    const body = exactLengthStream(prepared.stream, contentLength, () => {
      failure = wrongLengthError(contentLength, ctx);
      controller.abort(failure);
      return undefined;
    });
    return { body, size: contentLength, abort: controller.signal, failure: () => failure };
  }

  private async uploadMultipart(
    key: string,
    body: Uint8Array | Readable,
    params: Record<string, unknown> & { Bucket: string; Key: string },
    tags: Record<string, string>,
    options: PutOptions,
  ): Promise<PutResult> {
    const counted = body instanceof Uint8Array ? undefined : countingStream(body);
    const controller = new AbortController();
    const abort = () => controller.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: counted ? counted.stream : body },
        partSize: this.partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
        tags: toTagSet(tags),
        abortController: controller,
      });
      if (options.onProgress) {
        const onProgress = options.onProgress;
        upload.on('httpUploadProgress', ({ loaded, total, part }) =>
          onProgress({
            loaded: loaded ?? 0,
            ...(total !== undefined ? { total } : {}),
            ...(part !== undefined ? { part } : {}),
          }),
        );
      }
      const output = await upload.done();
      const size = counted ? counted.bytes() : (body as Uint8Array).byteLength;
      return { key, etag: output.ETag ?? '', versionId: output.VersionId, size };
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<ObjectStream> {
    return this.call('GetObject', key, options, async (ctx) => {
      const output = await this.client.send(this.getObjectCommand(key, options, ctx), {
        abortSignal: options.signal,
      });
      const contentLength = output.ContentLength ?? 0;
      return {
        body: withMappedErrors(output.Body as Readable, (error) => toIntegrationError(error, ctx)),
        contentLength,
        size: totalSizeFromContentRange(output.ContentRange) ?? contentLength,
        contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE,
        etag: output.ETag ?? '',
        metadata: output.Metadata ?? {},
        ...(output.VersionId ? { versionId: output.VersionId } : {}),
      };
    });
  }

  async getBytes(key: string, options: GetOptions = {}): Promise<Buffer> {
    return this.call('GetObject', key, options, async (ctx) => {
      const output = await this.client.send(this.getObjectCommand(key, options, ctx), {
        abortSignal: options.signal,
      });
      const bytes = await output.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  private getObjectCommand(key: string, options: GetOptions, ctx: ArgumentContext): GetObjectCommand {
    assertValidKey(key, ctx);
    if (options.range) assertValidRange(options.range, ctx);
    return new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Range: options.range ? rangeHeader(options.range) : undefined,
      IfMatch: options.ifMatch,
    });
  }

  /** The attributes a copy keeps (content type, metadata). Throws NotFoundError when absent. */
  private async head(
    key: string,
    options: CallOptions,
  ): Promise<{ contentType: string; metadata: Record<string, string> }> {
    return this.call('HeadObject', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      const output = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: options.signal,
      });
      return { contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE, metadata: output.Metadata ?? {} };
    });
  }

  exists(key: string, options: CallOptions = {}): Promise<boolean> {
    return foundBy(this.head(key, options));
  }

  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    return this.call('CopyObject', `${sourceKey} -> ${targetKey}`, options, async (ctx) => {
      assertValidKey(sourceKey, ctx);
      assertValidKey(targetKey, ctx);
      if (options.tags) assertValidTags(options.tags, ctx);
      const replaceMetadata = options.metadata !== undefined || options.contentType !== undefined;
      let { metadata, contentType } = options;
      if (replaceMetadata && (metadata === undefined || contentType === undefined)) {
        // REPLACE sets both at once: keep the source's value of the one not given.
        const source = await this.head(sourceKey, options);
        metadata ??= source.metadata;
        contentType ??= source.contentType;
      }
      const output = await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: targetKey,
          CopySource: copySource(this.bucket, sourceKey),
          MetadataDirective: replaceMetadata ? 'REPLACE' : 'COPY',
          ...(replaceMetadata
            ? { Metadata: normaliseMetadata(metadata, ctx), ContentType: contentType }
            : {}),
          ...(options.tags ? { TaggingDirective: 'REPLACE', Tagging: taggingHeader(options.tags) } : {}),
          ...encryptionParams(options.encryption ?? this.options.encryption),
        }),
        { abortSignal: options.signal },
      );
      return {
        key: targetKey,
        etag: output.CopyObjectResult?.ETag ?? '',
        ...(output.VersionId ? { versionId: output.VersionId } : {}),
      };
    });
  }

  async delete(key: string, options: CallOptions = {}): Promise<void> {
    await this.call('DeleteObject', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: options.signal,
      });
    });
  }

  async deleteEveryVersion(prefix: string, options: CallOptions = {}): Promise<DeleteManyResult> {
    const ctx: ArgumentContext = {
      service: 's3',
      operation: 'DeleteEveryVersion',
      resource: `${this.bucket}/${prefix}`,
    };
    assertErasablePrefix(prefix, ctx);
    const result: DeleteManyResult = { deleted: [], errors: [] };
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await this.call('ListObjectVersions', prefix, options, () =>
        this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
          { abortSignal: options.signal },
        ),
      );
      // Versions and delete markers alike: a marker left behind keeps the key listed as deleted history.
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
        .filter((entry) => entry.Key !== undefined && entry.Key.startsWith(prefix))
        .map(({ Key, VersionId }) => ({ Key: Key!, VersionId }));
      for (let start = 0; start < objects.length; start += MAX_LIST_LIMIT) {
        const batch = objects.slice(start, start + MAX_LIST_LIMIT);
        const output = await this.call('DeleteObjects', prefix, options, () =>
          this.client.send(
            new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }),
            { abortSignal: options.signal },
          ),
        );
        const failed = new Set<string>();
        for (const error of output.Errors ?? []) {
          failed.add(`${error.Key ?? ''}\n${error.VersionId ?? ''}`);
          result.errors.push({
            key: error.Key ?? '',
            code: error.Code ?? 'UNKNOWN',
            message: error.Message ?? 'not deleted',
          });
        }
        for (const object of batch) {
          if (!failed.has(`${object.Key}\n${object.VersionId ?? ''}`)) result.deleted.push(object.Key);
        }
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return result;
  }

  async getTags(key: string, options: CallOptions = {}): Promise<Record<string, string>> {
    return this.call('GetObjectTagging', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      const output = await this.client.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: options.signal,
      });
      return fromTagSet(output.TagSet);
    });
  }

  async putTags(key: string, tags: Record<string, string>, options: CallOptions = {}): Promise<void> {
    await this.call('PutObjectTagging', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      assertValidTags(tags, ctx);
      await this.client.send(
        new PutObjectTaggingCommand({ Bucket: this.bucket, Key: key, Tagging: { TagSet: toTagSet(tags) } }),
        { abortSignal: options.signal },
      );
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.call('ListObjectsV2', prefix, options, async (ctx) => {
      const limit = boundedListLimit(options.limit, ctx);
      const after = options.cursor ? decodeListCursor(options.cursor, prefix, ctx) : undefined;
      const output = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix || undefined,
          MaxKeys: limit,
          ...(after === undefined ? {} : { StartAfter: after }),
        }),
        { abortSignal: options.signal },
      );
      const items: ListItem[] = (output.Contents ?? []).map((object) => ({
        key: object.Key ?? '',
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
        etag: object.ETag ?? '',
        storageClass: object.StorageClass ?? 'STANDARD',
      }));
      return {
        items,
        ...(output.IsTruncated && items.length > 0
          ? { cursor: encodeListCursor(items[items.length - 1]!.key) }
          : {}),
      };
    });
  }

  listAll(prefix: string, options: ListAllOptions = {}): AsyncIterable<ListItem> {
    return listEveryPage(this, prefix, options);
  }

  /** Runs one storage call; anything it throws leaves as a typed IntegrationError (mapped in one place). */
  private async call<T>(
    operation: string,
    resource: string | undefined,
    options: CallOptions,
    run: (ctx: ArgumentContext) => Promise<T>,
  ): Promise<T> {
    const ctx: ArgumentContext = {
      service: 's3',
      operation,
      resource: resource === undefined ? this.bucket : `${this.bucket}/${resource}`,
    };
    try {
      options.signal?.throwIfAborted();
      return await run(ctx);
    } catch (error) {
      throw toIntegrationError(error, ctx);
    }
  }
}

/** A signal that aborts when either does (undefined when neither is given). */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal) => signal !== undefined);
  return given.length > 1 ? AbortSignal.any(given) : given[0];
}

/** The object's full size from a Content-Range header (`bytes 0-9/1234`), when present. */
function totalSizeFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange?.match(/\/(\d+)$/)?.[1];
  return total === undefined ? undefined : Number(total);
}
