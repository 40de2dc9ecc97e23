import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toIntegrationError } from '../error-mapping';
import {
  AccessDeniedError,
  InvalidRequestError,
  type IntegrationError,
  NotFoundError,
  PreconditionFailedError,
} from '../../errors';
import {
  assertErasablePrefix,
  assertValidKey,
  assertValidRange,
  assertValidTags,
  boundedListLimit,
  normaliseMetadata,
  type ArgumentContext,
} from './arguments';
import { exactLengthStream, prepareBody, readAll, withMappedErrors, wrongLengthError } from './body';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import { keyOfDataFile, objectFiles, prefixDirectory, segmentOfDirectory } from './filesystem-layout';
import {
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

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** What the sidecar file beside each object holds: everything S3 would keep besides the bytes. */
interface Sidecar {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  lastModified: string;
  cacheControl?: string;
  contentDisposition?: string;
  encryption?: Encryption;
}

export interface FilesystemObjectStorageOptions {
  /** Folder holding the objects (created on first write). */
  root: string;
}

/**
 * The filesystem adapter of the storage port, for tools and tests: same keys, ETags (MD5, quoted),
 * metadata, tags, key order and paging as S3. Writes go to a temporary file renamed into place. A folder
 * has no versions: erasing a prefix deletes its objects.
 */
export class FilesystemObjectStorage implements ObjectStorage {
  readonly root: string;

  constructor(options: FilesystemObjectStorageOptions) {
    this.root = resolve(options.root);
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    return this.call('PutObject', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      const files = objectFiles(this.root, key, ctx);
      const metadata = normaliseMetadata(options.metadata, ctx);
      const tags = options.tags ?? {};
      assertValidTags(tags, ctx);
      const prepared = prepareBody(body);
      const total = prepared.kind === 'bytes' ? prepared.bytes.byteLength : undefined;
      const md5 = createHash('md5');
      let size = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          options.onProgress?.({ loaded: size, ...(total !== undefined ? { total } : {}) });
          callback(null, chunk);
        },
      });
      await mkdir(files.directory, { recursive: true });
      const temporary = files.temporary();
      try {
        const { contentLength } = options;
        const source =
          prepared.kind === 'bytes'
            ? [Buffer.from(prepared.bytes)]
            : contentLength === undefined
              ? prepared.stream
              : exactLengthStream(prepared.stream, contentLength, () => wrongLengthError(contentLength, ctx));
        await pipeline(source, measure, createWriteStream(temporary), { signal: options.signal });
        const sidecar: Sidecar = {
          key,
          size,
          etag: `"${md5.digest('hex')}"`,
          contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
          metadata,
          tags,
          lastModified: new Date().toISOString(),
          ...(options.cacheControl !== undefined ? { cacheControl: options.cacheControl } : {}),
          ...(options.contentDisposition !== undefined
            ? { contentDisposition: options.contentDisposition }
            : {}),
          ...(options.encryption ? { encryption: options.encryption } : {}),
        };
        if (options.ifNoneMatch && (await this.exists(key))) {
          throw new PreconditionFailedError('An object already exists under this key (ifNoneMatch)', ctx);
        }
        await rename(temporary, files.data);
        await this.writeSidecar(files.sidecar, files.temporary(), sidecar);
        if (size === 0) options.onProgress?.({ loaded: 0, total: 0 });
        return { key, etag: sidecar.etag, size };
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    });
  }

  async get(key: string, options: GetOptions = {}): Promise<ObjectStream> {
    return this.call('GetObject', key, options, async (ctx) => {
      if (options.range) assertValidRange(options.range, ctx);
      const { files, sidecar } = await this.readObject(key, ctx);
      if (options.ifMatch !== undefined && unquote(options.ifMatch) !== unquote(sidecar.etag)) {
        throw new PreconditionFailedError('The object no longer has the ETag asked for', ctx);
      }
      let start = 0;
      let end = sidecar.size - 1;
      if (options.range) {
        if (options.range.start >= sidecar.size) {
          throw new InvalidRequestError('The requested range is not satisfiable', ctx);
        }
        start = options.range.start;
        end = Math.min(options.range.end ?? end, end);
      }
      const contentLength = Math.max(end - start + 1, 0);
      const stream =
        contentLength === 0
          ? Readable.from([])
          : createReadStream(files.data, { start, end, signal: options.signal });
      return {
        body: withMappedErrors(stream, (error) => mapFilesystemError(error, ctx)),
        contentLength,
        size: sidecar.size,
        contentType: sidecar.contentType,
        etag: sidecar.etag,
        metadata: sidecar.metadata,
      };
    });
  }

  async getBytes(key: string, options: GetOptions = {}): Promise<Buffer> {
    const { body } = await this.get(key, options);
    return readAll(body);
  }

  exists(key: string, options: CallOptions = {}): Promise<boolean> {
    return foundBy(this.call('HeadObject', key, options, (ctx) => this.readObject(key, ctx)));
  }

  async copy(sourceKey: string, targetKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    return this.call('CopyObject', `${sourceKey} -> ${targetKey}`, options, async (ctx) => {
      const { files: source, sidecar } = await this.readObject(sourceKey, ctx);
      assertValidKey(targetKey, ctx);
      const target = objectFiles(this.root, targetKey, ctx);
      if (options.tags) assertValidTags(options.tags, ctx);
      const copied: Sidecar = {
        ...sidecar,
        key: targetKey,
        lastModified: new Date().toISOString(),
        ...(options.metadata !== undefined ? { metadata: normaliseMetadata(options.metadata, ctx) } : {}),
        ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        ...(options.tags !== undefined ? { tags: options.tags } : {}),
        ...(options.encryption !== undefined ? { encryption: options.encryption } : {}),
      };
      await mkdir(target.directory, { recursive: true });
      const temporary = target.temporary();
      try {
        await copyFile(source.data, temporary);
        options.signal?.throwIfAborted();
        await rename(temporary, target.data);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      await this.writeSidecar(target.sidecar, target.temporary(), copied);
      return { key: targetKey, etag: copied.etag };
    });
  }

  async delete(key: string, options: CallOptions = {}): Promise<void> {
    await this.call('DeleteObject', key, options, async (ctx) => {
      assertValidKey(key, ctx);
      const files = objectFiles(this.root, key, ctx);
      await unlink(files.sidecar).catch(ignoreMissing);
      await unlink(files.data).catch(ignoreMissing);
      await this.removeEmptyDirectories(files.directory);
    });
  }

  /** No versions on a file system: erasing a prefix deletes its objects (see ObjectStorage). */
  async deleteEveryVersion(prefix: string, options: CallOptions = {}): Promise<DeleteManyResult> {
    assertErasablePrefix(prefix, {
      service: 'filesystem',
      operation: 'DeleteEveryVersion',
      resource: prefix,
    });
    const keys: string[] = [];
    for await (const item of this.listAll(prefix, options)) keys.push(item.key);
    return this.deleteMany(keys, options);
  }

  private async deleteMany(keys: readonly string[], options: CallOptions): Promise<DeleteManyResult> {
    const ctx: ArgumentContext = { service: 'filesystem', operation: 'DeleteObjects', resource: this.root };
    for (const key of keys) assertValidKey(key, ctx); // as on S3, a malformed key fails the whole call
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (const key of keys) {
      try {
        await this.delete(key, options);
        result.deleted.push(key);
      } catch (error) {
        // An abort stops the whole batch, as it does on S3; other failures are reported per key.
        if (options.signal?.aborted) throw error;
        const { code, message } = error as IntegrationError;
        result.errors.push({ key, code, message });
      }
    }
    return result;
  }

  async getTags(key: string, options: CallOptions = {}): Promise<Record<string, string>> {
    return this.call(
      'GetObjectTagging',
      key,
      options,
      async (ctx) => (await this.readObject(key, ctx)).sidecar.tags,
    );
  }

  async putTags(key: string, tags: Record<string, string>, options: CallOptions = {}): Promise<void> {
    await this.call('PutObjectTagging', key, options, async (ctx) => {
      assertValidTags(tags, ctx);
      const { files, sidecar } = await this.readObject(key, ctx);
      await this.writeSidecar(files.sidecar, files.temporary(), { ...sidecar, tags });
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.call('ListObjectsV2', prefix, options, async (ctx) => {
      const limit = boundedListLimit(options.limit, ctx);
      const after = options.cursor ? decodeListCursor(options.cursor, prefix, ctx) : undefined;
      const keys = (await this.keysUnder(prefix))
        .filter((key) => after === undefined || compareKeys(key, after) > 0)
        .sort(compareKeys);
      const page = keys.slice(0, limit);
      const items: ListItem[] = [];
      for (const key of page) {
        options.signal?.throwIfAborted();
        const { sidecar } = await this.readObject(key, ctx);
        items.push({
          key,
          size: sidecar.size,
          lastModified: new Date(sidecar.lastModified),
          etag: sidecar.etag,
          storageClass: 'STANDARD',
        });
      }
      return { items, ...(keys.length > limit ? { cursor: encodeListCursor(page[page.length - 1]!) } : {}) };
    });
  }

  listAll(prefix: string, options: ListAllOptions = {}): AsyncIterable<ListItem> {
    return listEveryPage(this, prefix, options);
  }

  private async readObject(
    key: string,
    ctx: ArgumentContext,
  ): Promise<{ files: ReturnType<typeof objectFiles>; sidecar: Sidecar }> {
    assertValidKey(key, ctx);
    const files = objectFiles(this.root, key, ctx);
    const sidecar = JSON.parse(await readFile(files.sidecar, 'utf8')) as Sidecar;
    return { files, sidecar };
  }

  private async writeSidecar(path: string, temporary: string, sidecar: Sidecar): Promise<void> {
    await writeFile(temporary, JSON.stringify(sidecar));
    await rename(temporary, path);
  }

  /** Every stored key starting with `prefix` (unsorted). */
  private async keysUnder(prefix: string): Promise<string[]> {
    const start = prefixDirectory(this.root, prefix);
    if (!start) return [];
    const keys: string[] = [];
    const walk = async (directory: string, keyPrefix: string): Promise<void> => {
      const entries = await readdir(directory, { withFileTypes: true }).catch(ignoreMissingAs([]));
      for (const entry of entries) {
        if (entry.isDirectory()) {
          const next = `${keyPrefix}${segmentOfDirectory(entry.name)}/`;
          // Enter a folder only when keys inside it can start with the prefix.
          if (next.startsWith(prefix) || prefix.startsWith(next))
            await walk(join(directory, entry.name), next);
        } else {
          const key = keyOfDataFile(keyPrefix, entry.name);
          if (key !== undefined && key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start.directory, start.keyPrefix);
    return keys;
  }

  /** Removes folders left empty by a delete, up to (not including) the root, as S3 has no folders. */
  private async removeEmptyDirectories(directory: string): Promise<void> {
    let current = directory;
    while (current.startsWith(`${this.root}${sep}`)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = dirname(current);
    }
  }

  private async call<T>(
    operation: string,
    resource: string,
    options: CallOptions,
    run: (ctx: ArgumentContext) => Promise<T>,
  ): Promise<T> {
    const ctx: ArgumentContext = { service: 'filesystem', operation, resource };
    try {
      options.signal?.throwIfAborted();
      return await run(ctx);
    } catch (error) {
      throw mapFilesystemError(error, ctx);
    }
  }
}

/** Filesystem errors in the typed hierarchy: a missing file is NotFoundError, a refused one AccessDeniedError. */
function mapFilesystemError(error: unknown, ctx: ArgumentContext): IntegrationError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT')
    return new NotFoundError(`${ctx.service} ${ctx.operation}: the object does not exist`, {
      ...ctx,
      cause: error,
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new AccessDeniedError(`${ctx.service} ${ctx.operation} was denied`, { ...ctx, cause: error });
  return toIntegrationError(error, ctx);
}

function ignoreMissing(error: unknown): void {
  if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
}

function ignoreMissingAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    ignoreMissing(error);
    return value;
  };
}

/** S3 orders keys by their UTF-8 bytes (not by UTF-16 code units, as `<` on strings would). */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
