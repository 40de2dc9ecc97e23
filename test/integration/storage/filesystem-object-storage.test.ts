import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError, ServiceUnavailableError, TimeoutError } from '../../../src/errors';
import { FilesystemObjectStorage } from '../../../src/aws/storage';
import { describeObjectStorageContract } from './object-storage.contract';

let root: string;
let storage: FilesystemObjectStorage;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-storage-'));
  storage = new FilesystemObjectStorage({ root });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describeObjectStorageContract('filesystem', () => ({ storage }));

describe('FilesystemObjectStorage', () => {
  it.each(['../escape', 'a/../../escape', 'a/./b', '..', 'uploads/..'])(
    'refuses the key %j, which would leave or alias a folder',
    async (key) => {
      await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(storage.getBytes(key)).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidRequestError);
    },
  );

  it('keeps every file of every key inside its root, whatever characters the key holds', async () => {
    const own = new FilesystemObjectStorage({ root: join(root, 'inside') });
    await own.put('..%2F..%2Fetc/pass~wd\\x/%/', 'x');
    await own.put('/leading//double', 'y');

    expect(readdirSync(root)).not.toContain('etc');
    expect((await own.getBytes('..%2F..%2Fetc/pass~wd\\x/%/')).toString()).toBe('x');
    expect((await own.list('')).items.map((item) => item.key)).toEqual([
      '..%2F..%2Fetc/pass~wd\\x/%/',
      '/leading//double',
    ]);
  });

  it('keeps content type, metadata and tags in a JSON sidecar beside the bytes', async () => {
    await storage.put('sidecar/doc.pdf', 'pdf', {
      contentType: 'application/pdf',
      metadata: { a: '1' },
      tags: { s: 'ok' },
    });

    const folder = join(root, 'sidecar');
    expect(readdirSync(folder).sort()).toEqual(['doc.pdf~', 'doc.pdf~meta.json']);
    expect(readFileSync(join(folder, 'doc.pdf~'), 'utf8')).toBe('pdf');
    expect(JSON.parse(readFileSync(join(folder, 'doc.pdf~meta.json'), 'utf8'))).toMatchObject({
      key: 'sidecar/doc.pdf',
      contentType: 'application/pdf',
      metadata: { a: '1' },
      tags: { s: 'ok' },
    });
  });

  it('removes folders a delete leaves empty, but not the root', async () => {
    await storage.put('deep/er/still/file', 'x');
    await storage.delete('deep/er/still/file');
    expect(readdirSync(root)).not.toContain('deep');
  });

  it('lists nothing for a prefix through a ".." segment', async () => {
    expect(await storage.list('../')).toEqual({ items: [] });
  });

  it('erases a prefix whose folders hold folders, deleting objects only', async () => {
    await storage.put('many/ok', 'x');
    await storage.put('many/folder/inner', 'x');

    const result = await storage.deleteEveryVersion('many/');

    expect(result).toEqual({ deleted: ['many/folder/inner', 'many/ok'], errors: [] });
    expect((await storage.list('many/')).items).toEqual([]);
  });

  it('reports a key it cannot erase and still erases the others', async () => {
    await storage.put('broken/fine', 'x');
    await storage.put('broken/jammed', 'x');
    // A failure of one delete in the middle of an erase (a disk error): mocked, a folder cannot be made to fail on cue.
    const deleteOne = storage.delete.bind(storage);
    const failing = jest.spyOn(storage, 'delete').mockImplementation(async (key, options) => {
      if (key === 'broken/jammed')
        throw new ServiceUnavailableError('disk error', { service: 'filesystem', operation: 'DeleteObject' });
      return deleteOne(key, options);
    });

    const result = await storage.deleteEveryVersion('broken/').finally(() => failing.mockRestore());

    expect(result.deleted).toEqual(['broken/fine']);
    expect(result.errors).toEqual([
      { key: 'broken/jammed', code: 'SERVICE_UNAVAILABLE', message: 'disk error' },
    ]);
    expect(await storage.exists('broken/jammed')).toBe(true);
  });

  it('stops an erase as soon as its signal aborts, reporting no partial result', async () => {
    await storage.put('aborted/1', 'x');
    await storage.put('aborted/2', 'x');
    const controller = new AbortController();
    const deleteOne = storage.delete.bind(storage);
    const aborting = jest.spyOn(storage, 'delete').mockImplementation(async (key, options) => {
      controller.abort();
      return deleteOne(key, options);
    });

    const erasing = storage.deleteEveryVersion('aborted/', { signal: controller.signal });

    await expect(erasing.finally(() => aborting.mockRestore())).rejects.toBeInstanceOf(TimeoutError);
    expect(await storage.exists('aborted/2')).toBe(true);
  });

  it('lets exists() report failures other than absence', async () => {
    mkdirSync(join(root, 'odd', 'thing~meta.json'), { recursive: true });
    await expect(storage.exists('odd/thing')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('round-trips arbitrary unicode keys and lists them in UTF-8 byte order, as S3 does', async () => {
    const segment = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
      .filter((text) => !text.includes('/') && text !== '.' && text !== '..');
    const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('/'));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 6 }), async (keys) => {
        const prefix = `fuzz/${(run += 1)}/`;
        for (const name of keys) await storage.put(`${prefix}${name}`, name);

        const listed: string[] = [];
        for await (const item of storage.listAll(prefix, { limit: 2 })) listed.push(item.key);

        const expected = keys
          .map((name) => `${prefix}${name}`)
          .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(listed).toEqual(expected);
        for (const name of keys) expect((await storage.getBytes(`${prefix}${name}`)).toString()).toBe(name);
      }),
      { numRuns: 30 },
    );
  });
});
