import { listDocumentManifests } from '../../../src/console/api/documents';
import { documentManifestKey, ownerSegment } from '../../../src/documents/document-keys';
import { ServiceUnavailableError } from '../../../src/errors';
import { memoryStorage } from './fakes';

const alice = { owner: 'alice@example.com', id: '11111111-1111-4111-8111-111111111111' };
const bob = { owner: 'bob', id: '22222222-2222-4222-8222-222222222222' };
const processed = {
  schemaVersion: 2,
  ...alice,
  filename: 'invoice.pdf',
  size: 1234,
  detectedType: { mime: 'application/pdf', ext: 'pdf' },
  status: 'processed',
  reason: null,
  uploadedAt: '2026-12-06T09:00:00.000Z',
};
const quarantined = {
  ...processed,
  ...bob,
  filename: 'evil.pdf',
  status: 'quarantined',
  reason: { code: 'ACTIVE_CONTENT', message: 'The PDF holds active content: /JavaScript' },
};

describe('listDocumentManifests', () => {
  const objects = {
    [documentManifestKey(alice)]: JSON.stringify(processed),
    [documentManifestKey(bob)]: JSON.stringify(quarantined),
  };

  it("lists every owner's manifests with type, size, owner, manifest and quarantine reason", async () => {
    const answer = await listDocumentManifests(memoryStorage(objects), { limit: 20 });
    expect(answer.cursor).toBeUndefined();
    expect(answer.items).toEqual(
      expect.arrayContaining([
        {
          id: alice.id,
          owner: alice.owner,
          status: 'processed',
          filename: 'invoice.pdf',
          type: 'application/pdf',
          size: 1234,
          createdAt: '2026-12-06T09:00:00.000Z',
          manifest: processed,
        },
        expect.objectContaining({
          id: bob.id,
          owner: 'bob',
          status: 'quarantined',
          quarantineReason: 'ACTIVE_CONTENT: The PDF holds active content: /JavaScript',
        }),
      ]),
    );
  });

  it("reads only one owner's prefix when filtered by owner, and filters by status", async () => {
    const storage = memoryStorage(objects);
    const answer = await listDocumentManifests(storage, { owner: 'bob', limit: 20 });
    expect(answer.items.map((item) => item.owner)).toEqual(['bob']);
    expect(storage.gets).toEqual([documentManifestKey(bob)]);
    const onlyQuarantined = await listDocumentManifests(memoryStorage(objects), {
      status: 'quarantined',
      limit: 20,
    });
    expect(onlyQuarantined.items.map((item) => item.id)).toEqual([bob.id]);
  });

  it('pages with the storage cursor', async () => {
    const first = await listDocumentManifests(memoryStorage(objects), { limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await listDocumentManifests(memoryStorage(objects), { limit: 1, cursor: first.cursor! });
    expect(second.cursor).toBeUndefined();
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
  });

  it('lists a manifest that is not JSON as unreadable, and a sparse one from its key', async () => {
    const segment = ownerSegment('carol');
    const answer = await listDocumentManifests(
      memoryStorage({
        [`manifests/${segment}/broken.json`]: '{',
        [`manifests/${segment}/sparse.json`]: '{}',
      }),
      { limit: 20 },
    );
    expect(answer.items).toEqual([
      { id: 'broken', owner: 'carol', status: 'unreadable', manifest: null },
      { id: 'sparse', owner: 'carol', status: 'unknown', manifest: {} },
    ]);
  });

  it('keeps a key segment that is no owner as it is', async () => {
    const answer = await listDocumentManifests(memoryStorage({ 'manifests/not=base64/x.json': '{' }), {
      limit: 20,
    });
    expect(answer.items[0]).toMatchObject({ owner: 'not=base64', status: 'unreadable' });
  });

  it('skips a manifest deleted between the list and the read, and lets other storage failures through', async () => {
    const storage = memoryStorage(objects);
    const gone = {
      ...storage,
      getBytes: async (key: string) =>
        key === documentManifestKey(bob) ? storage.getBytes('absent') : storage.getBytes(key),
    };
    expect((await listDocumentManifests(gone, { limit: 20 })).items.map((item) => item.owner)).toEqual([
      alice.owner,
    ]);
    const failure = new ServiceUnavailableError('down', { service: 'S3', operation: 'GetObject' });
    const failing = { ...storage, getBytes: async () => Promise.reject(failure) };
    await expect(listDocumentManifests(failing, { limit: 20 })).rejects.toBe(failure);
  });
});
