import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  InvalidCursorError,
  InvalidRequestError,
  NotFoundError,
  PreconditionFailedError,
  TimeoutError,
} from '../../../src/errors';
import { readAll } from '../../../src/aws/storage/body';
import type { ObjectStorage, UploadProgress } from '../../../src/aws/storage';

export interface ContractSubject {
  storage: ObjectStorage;
}

const md5Etag = (bytes: Buffer | string) => `"${createHash('md5').update(bytes).digest('hex')}"`;

async function expectRejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/**
 * The behaviour every ObjectStorage adapter must have, run against each of them (filesystem, S3 through the
 * local S3).
 * `subject()` is called inside each test, after the adapter's own beforeAll has set it up.
 */
export function describeObjectStorageContract(adapterName: string, subject: () => ContractSubject): void {
  describe(`ObjectStorage contract: ${adapterName}`, () => {
    let storage: ObjectStorage;
    let prefix: string;

    beforeEach(() => {
      storage = subject().storage;
      prefix = `contract/${randomUUID()}/`;
    });

    it('reads back exactly the bytes, type and metadata that were put, with the MD5 ETag', async () => {
      const bytes = randomBytes(4096);
      const result = await storage.put(`${prefix}a.bin`, bytes, {
        contentType: 'application/pdf',
        metadata: { Source: 'contract', 'document-id': '42' },
      });

      expect(result).toMatchObject({ key: `${prefix}a.bin`, size: 4096, etag: md5Etag(bytes) });
      expect(await storage.getBytes(`${prefix}a.bin`)).toEqual(bytes);
      const object = await storage.get(`${prefix}a.bin`);
      expect(object).toMatchObject({
        contentLength: 4096,
        size: 4096,
        contentType: 'application/pdf',
        etag: md5Etag(bytes),
      });
      expect(object.metadata).toEqual({ source: 'contract', 'document-id': '42' });
      expect(await readAll(object.body)).toEqual(bytes);
    });

    it('lists an object with its size, ETag, storage class and a recent modification time', async () => {
      const before = Date.now();
      await storage.put(`${prefix}h.txt`, 'hello', { contentType: 'text/plain' });

      const [item] = (await storage.list(`${prefix}h.txt`)).items;

      expect(item).toMatchObject({
        key: `${prefix}h.txt`,
        size: 5,
        etag: md5Etag('hello'),
        storageClass: 'STANDARD',
      });
      // S3 keeps whole seconds.
      expect(item!.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
      expect(item!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('defaults the content type to application/octet-stream', async () => {
      await storage.put(`${prefix}untyped`, Buffer.from([1, 2, 3]));
      expect((await storage.get(`${prefix}untyped`)).contentType).toBe('application/octet-stream');
    });

    it('stores a stream of unknown length and reports its size', async () => {
      const chunks = [randomBytes(1000), randomBytes(2000), randomBytes(500)];
      const result = await storage.put(`${prefix}stream.bin`, Readable.from(chunks));

      expect(result.size).toBe(3500);
      expect(await storage.getBytes(`${prefix}stream.bin`)).toEqual(Buffer.concat(chunks));
    });

    it('streams a body of declared length as it arrives, byte for byte', async () => {
      const bytes = randomBytes(300_000);
      const chunks = [bytes.subarray(0, 100_000), bytes.subarray(100_000)];

      const result = await storage.put(`${prefix}known.bin`, Readable.from(chunks), {
        contentLength: bytes.length,
        signal: new AbortController().signal,
      });

      expect(result).toMatchObject({ size: bytes.length, etag: md5Etag(bytes) });
      expect(await storage.getBytes(`${prefix}known.bin`)).toEqual(bytes);
    });

    it('refuses a stream longer or shorter than its declared length, storing nothing', async () => {
      const bytes = randomBytes(1000);
      for (const declared of [999, 1001]) {
        await expectRejection(
          storage.put(`${prefix}wrong-${declared}.bin`, Readable.from([bytes]), { contentLength: declared }),
          InvalidRequestError,
        );
        expect(await storage.exists(`${prefix}wrong-${declared}.bin`)).toBe(false);
      }
    });

    it('stores an empty object', async () => {
      const result = await storage.put(`${prefix}empty`, Buffer.alloc(0));
      expect(result.size).toBe(0);
      expect(await storage.getBytes(`${prefix}empty`)).toEqual(Buffer.alloc(0));
    });

    it('replaces the object on a second put under the same key', async () => {
      await storage.put(`${prefix}k`, 'first');
      await storage.put(`${prefix}k`, 'second version');
      expect((await storage.getBytes(`${prefix}k`)).toString()).toBe('second version');
      expect((await storage.get(`${prefix}k`)).size).toBe(14);
    });

    it('reports progress ending with every byte loaded', async () => {
      const events: UploadProgress[] = [];
      await storage.put(`${prefix}p`, randomBytes(10_000), { onProgress: (event) => events.push(event) });
      expect(events.length).toBeGreaterThan(0);
      expect(events[events.length - 1]!.loaded).toBe(10_000);
    });

    it('reads a byte range, clipping an end past the last byte', async () => {
      await storage.put(`${prefix}r`, '0123456789');

      const middle = await storage.get(`${prefix}r`, { range: { start: 2, end: 5 } });
      expect(middle).toMatchObject({ contentLength: 4, size: 10 });
      expect((await readAll(middle.body)).toString()).toBe('2345');
      expect((await storage.getBytes(`${prefix}r`, { range: { start: 7 } })).toString()).toBe('789');
      expect((await storage.getBytes(`${prefix}r`, { range: { start: 8, end: 100 } })).toString()).toBe('89');
    });

    it('refuses a range that starts past the end of the object', async () => {
      await storage.put(`${prefix}r`, '0123456789');
      await expectRejection(storage.get(`${prefix}r`, { range: { start: 10 } }), InvalidRequestError);
    });

    it('refuses a range whose end is before its start without calling the store', async () => {
      await expectRejection(storage.get(`${prefix}r`, { range: { start: 5, end: 2 } }), InvalidRequestError);
    });

    it('answers NotFoundError for a missing object on get, getBytes, getTags and copy', async () => {
      const missing = `${prefix}missing`;
      const error = await expectRejection(storage.get(missing), NotFoundError);
      expect(error.statusCode).toBe(404);
      await expectRejection(storage.getBytes(missing), NotFoundError);
      await expectRejection(storage.getTags(missing), NotFoundError);
      await expectRejection(storage.copy(missing, `${prefix}copy`), NotFoundError);
    });

    it('says whether an object exists', async () => {
      await storage.put(`${prefix}here`, 'x');
      expect(await storage.exists(`${prefix}here`)).toBe(true);
      expect(await storage.exists(`${prefix}absent`)).toBe(false);
    });

    it('reads only while the ETag still matches', async () => {
      const { etag } = await storage.put(`${prefix}c`, 'v1');
      expect((await storage.getBytes(`${prefix}c`, { ifMatch: etag })).toString()).toBe('v1');
      await storage.put(`${prefix}c`, 'v2');
      await expectRejection(storage.getBytes(`${prefix}c`, { ifMatch: etag }), PreconditionFailedError);
    });

    it('stores tags with the object and replaces them with putTags', async () => {
      await storage.put(`${prefix}t`, 'x', { tags: { status: 'processed', 'document-id': 'abc 123' } });
      expect(await storage.getTags(`${prefix}t`)).toEqual({ status: 'processed', 'document-id': 'abc 123' });

      await storage.putTags(`${prefix}t`, { status: 'quarantined' });
      expect(await storage.getTags(`${prefix}t`)).toEqual({ status: 'quarantined' });
    });

    it('copies bytes, content type, metadata and tags', async () => {
      await storage.put(`${prefix}src`, 'copy me', {
        contentType: 'text/plain',
        metadata: { origin: 'upload' },
        tags: { status: 'new' },
      });

      const result = await storage.copy(`${prefix}src`, `${prefix}dst`);

      expect(result.key).toBe(`${prefix}dst`);
      expect(result.etag).toBe(md5Etag('copy me'));
      expect((await storage.getBytes(`${prefix}dst`)).toString()).toBe('copy me');
      expect(await storage.get(`${prefix}dst`)).toMatchObject({
        contentType: 'text/plain',
        metadata: { origin: 'upload' },
      });
      expect(await storage.getTags(`${prefix}dst`)).toEqual({ status: 'new' });
      expect(await storage.exists(`${prefix}src`)).toBe(true);
    });

    it('replaces metadata and tags on copy when given, keeping the content type', async () => {
      await storage.put(`${prefix}src`, 'x', {
        contentType: 'text/csv',
        metadata: { a: '1' },
        tags: { status: 'new' },
      });

      await storage.copy(`${prefix}src`, `${prefix}dst`, { metadata: { b: '2' }, tags: { status: 'moved' } });

      expect(await storage.get(`${prefix}dst`)).toMatchObject({
        contentType: 'text/csv',
        metadata: { b: '2' },
      });
      expect(await storage.getTags(`${prefix}dst`)).toEqual({ status: 'moved' });
    });

    it('deletes an object, and deleting an absent key succeeds', async () => {
      await storage.put(`${prefix}d`, 'x');
      await storage.delete(`${prefix}d`);
      expect(await storage.exists(`${prefix}d`)).toBe(false);
      await expect(storage.delete(`${prefix}never-existed`)).resolves.toBeUndefined();
    });

    it('erases everything under a prefix (and nothing beside it), in pages past 1000 objects', async () => {
      const doomed = Array.from(
        { length: 1003 },
        (_, index) => `${prefix}doc/${String(index).padStart(4, '0')}`,
      );
      for (let start = 0; start < doomed.length; start += 50)
        await Promise.all(doomed.slice(start, start + 50).map((key) => storage.put(key, 'x')));
      await storage.put(`${prefix}doc.json`, 'manifest');
      await storage.put(`${prefix}other/kept`, 'kept');

      const result = await storage.deleteEveryVersion(`${prefix}doc/`);

      expect(result.errors).toEqual([]);
      expect(new Set(result.deleted)).toEqual(new Set(doomed));
      expect((await storage.list(`${prefix}doc/`)).items).toEqual([]);
      expect(await storage.exists(`${prefix}doc.json`)).toBe(true);
      expect(await storage.exists(`${prefix}other/kept`)).toBe(true);
      // An exact key is a prefix too: erasing it leaves its neighbours.
      expect((await storage.deleteEveryVersion(`${prefix}doc.json`)).deleted).toEqual([`${prefix}doc.json`]);
      expect(await storage.exists(`${prefix}other/kept`)).toBe(true);
    }, 60_000);

    it('refuses to erase with an empty prefix, which would empty the whole store', async () => {
      await storage.put(`${prefix}survivor`, 'x');
      await expectRejection(storage.deleteEveryVersion(''), InvalidRequestError);
      expect(await storage.exists(`${prefix}survivor`)).toBe(true);
    });

    it('refuses every cursor it did not issue for this prefix, before asking the store', async () => {
      for (const name of ['a', 'b', 'c']) await storage.put(`${prefix}cursor/${name}.txt`, name);
      await storage.put(`${prefix}elsewhere/z.txt`, 'z');
      const first = await storage.list(`${prefix}cursor/`, { limit: 1 });
      const elsewhere = await storage.list(`${prefix}elsewhere/`, { limit: 1 });
      const forged = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
      const hostile = [
        'garbage',
        '!!not-a-cursor',
        `${first.cursor}=`,
        first.cursor!.slice(0, -1),
        forged(`${prefix}elsewhere/z.txt`),
        forged('x'.repeat(2000)),
        randomBytes(48).toString('base64'),
      ];
      for (const cursor of hostile) {
        const error = await expectRejection(
          storage.list(`${prefix}cursor/`, { limit: 1, cursor }),
          InvalidCursorError,
        );
        expect(error).toMatchObject({ code: 'INVALID_CURSOR', statusCode: 400, retryable: false });
        expect(error.message).not.toMatch(/s3|continuation|token/i);
      }
      // Another listing's cursor: not one of this prefix.
      await expectRejection(
        storage.list(`${prefix}cursor/`, {
          limit: 1,
          cursor: elsewhere.cursor ?? forged(`${prefix}elsewhere/`),
        }),
        InvalidCursorError,
      );
      const second = await storage.list(`${prefix}cursor/`, { limit: 1, cursor: first.cursor });
      expect(second.items.map((item) => item.key)).toEqual([`${prefix}cursor/b.txt`]);
    });

    it('lists 5 objects in pages of 2, in key order, with a cursor until the last page', async () => {
      const keys = ['e', 'a', 'c', 'b', 'd'].map((name) => `${prefix}page/${name}.txt`);
      for (const key of keys) await storage.put(key, key);
      await storage.put(`${prefix}other/x.txt`, 'not listed');

      const first = await storage.list(`${prefix}page/`, { limit: 2 });
      const second = await storage.list(`${prefix}page/`, { limit: 2, cursor: first.cursor });
      const third = await storage.list(`${prefix}page/`, { limit: 2, cursor: second.cursor });

      expect(first.items.map((item) => item.key)).toEqual([`${prefix}page/a.txt`, `${prefix}page/b.txt`]);
      expect(second.items.map((item) => item.key)).toEqual([`${prefix}page/c.txt`, `${prefix}page/d.txt`]);
      expect(third.items.map((item) => item.key)).toEqual([`${prefix}page/e.txt`]);
      expect(first.cursor).toEqual(expect.any(String));
      expect(third.cursor).toBeUndefined();
      expect(first.items[0]).toMatchObject({
        size: `${prefix}page/a.txt`.length,
        etag: md5Etag(`${prefix}page/a.txt`),
        storageClass: 'STANDARD',
        lastModified: expect.any(Date),
      });
    });

    it('iterates over every page with listAll', async () => {
      const keys = ['1', '2', '3', '4', '5'].map((name) => `${prefix}all/${name}`);
      for (const key of keys) await storage.put(key, 'x');

      const listed: string[] = [];
      for await (const item of storage.listAll(`${prefix}all/`, { limit: 2 })) listed.push(item.key);

      expect(listed).toEqual(keys);
    });

    it('lists nothing under a prefix with no objects, and matches partial segments', async () => {
      await storage.put(`${prefix}reports/2024.csv`, 'x');
      await storage.put(`${prefix}readme.txt`, 'x');
      expect(await storage.list(`${prefix}nothing/`)).toEqual({ items: [] });
      expect((await storage.list(`${prefix}rep`)).items.map((item) => item.key)).toEqual([
        `${prefix}reports/2024.csv`,
      ]);
    });

    it('keeps keys with spaces, unicode, plus and percent signs intact everywhere', async () => {
      const key = `${prefix}uploads/ünï cødé/file name + 100% (1) 📄.pdf`;
      await storage.put(key, 'unicode', { tags: { name: 'ünï cødé' } });

      expect((await storage.getBytes(key)).toString()).toBe('unicode');
      expect((await storage.list(`${prefix}uploads/`)).items.map((item) => item.key)).toEqual([key]);
      await storage.copy(key, `${key}.copy`);
      expect(await storage.getTags(`${key}.copy`)).toEqual({ name: 'ünï cødé' });
      await storage.delete(key);
      expect(await storage.exists(key)).toBe(false);
    });

    it('keeps both "a" and "a/b" as separate objects', async () => {
      await storage.put(`${prefix}a`, 'file');
      await storage.put(`${prefix}a/b`, 'nested');
      expect((await storage.getBytes(`${prefix}a`)).toString()).toBe('file');
      expect((await storage.getBytes(`${prefix}a/b`)).toString()).toBe('nested');
      // Compared as a set: s3rver lists `a/b` before `a` (AWS and the filesystem adapter: `a` first).
      expect((await storage.list(prefix)).items.map((item) => item.key).sort()).toEqual([
        `${prefix}a`,
        `${prefix}a/b`,
      ]);
    });

    it('refuses invalid keys, metadata, tags and page sizes with InvalidRequestError', async () => {
      await expectRejection(storage.put('', 'x'), InvalidRequestError);
      await expectRejection(storage.put(`${prefix}${'k'.repeat(1025)}`, 'x'), InvalidRequestError);
      await expectRejection(
        storage.put(`${prefix}meta`, 'x', { metadata: { name: 'résumé' } }),
        InvalidRequestError,
      );
      const elevenTags = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`t${index}`, 'v']));
      await expectRejection(storage.put(`${prefix}tags`, 'x', { tags: elevenTags }), InvalidRequestError);
      await expectRejection(storage.list(prefix, { limit: 0 }), InvalidRequestError);
      await expectRejection(storage.list(prefix, { limit: 1001 }), InvalidRequestError);
      expect(await storage.exists(`${prefix}meta`)).toBe(false);
    });

    it('rejects a call whose signal is already aborted with a retryable TimeoutError, writing nothing', async () => {
      const controller = new AbortController();
      controller.abort();

      const error = await expectRejection(
        storage.put(`${prefix}aborted`, 'x', { signal: controller.signal }),
        TimeoutError,
      );

      expect(error.retryable).toBe(true);
      await expectRejection(storage.get(`${prefix}aborted`, { signal: controller.signal }), TimeoutError);
      expect(await storage.exists(`${prefix}aborted`)).toBe(false);
    });

    it('stops a streaming upload when its signal aborts mid-way', async () => {
      const controller = new AbortController();
      // A stream that sends one chunk and then stalls, as a slow client would.
      const stalled = new Readable({ read() {} });
      stalled.push(randomBytes(1024));
      setTimeout(() => controller.abort(), 50);

      await expectRejection(
        storage.put(`${prefix}stalled`, stalled, { signal: controller.signal }),
        TimeoutError,
      );
      expect(await storage.exists(`${prefix}stalled`)).toBe(false);
      stalled.destroy();
    });
  });
}
