import {
  DEFAULT_MAX_UPLOAD_BYTES,
  allowedExtensions,
  checkUploadRequest,
  uploadPolicy,
} from '../../../src/documents/upload-policy';
import fc from 'fast-check';
import { MAX_OWNER_BYTES } from '../../../src/auth/caller';
import {
  cleanKey,
  documentManifestKey,
  documentPrefixes,
  ownerManifestsPrefix,
  ownerOfSegment,
  ownerSegment,
  parseUploadKey,
  quarantineKey,
  uploadKey,
  uploadPrefix,
} from '../../../src/documents/document-keys';
import { MAX_FILENAME_BYTES } from '../../../src/documents/filename';

describe('upload policy', () => {
  const policy = uploadPolicy();

  it('defaults to 100 MB, a short expiry and common document types', () => {
    expect(policy.maxBytes).toBe(100 * 1024 * 1024);
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(policy.maxBytes);
    expect(policy.expirySeconds).toBeLessThanOrEqual(900);
    expect(policy.allowedTypes).toEqual(expect.arrayContaining(['application/pdf', 'image/png', 'text/csv']));
  });

  it('accepts an allowed type within the size limit and normalises the type', () => {
    expect(checkUploadRequest({ filename: 'scan.jpg', contentType: 'image/JPG', size: 10 }, policy)).toEqual({
      ok: true,
      contentType: 'image/jpeg',
    });
  });

  it('refuses a type off the allow-list', () => {
    expect(
      checkUploadRequest(
        { filename: 'setup.exe', contentType: 'application/x-msdownload', size: 10 },
        policy,
      ),
    ).toMatchObject({
      ok: false,
      reason: 'TYPE_NOT_ALLOWED',
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses size %p', (size) => {
    expect(
      checkUploadRequest({ filename: 'a.pdf', contentType: 'application/pdf', size }, policy),
    ).toMatchObject({
      ok: false,
      reason: 'INVALID_SIZE',
    });
  });

  it('derives the extension allow-list from the type allow-list', () => {
    expect(allowedExtensions(uploadPolicy({ allowedTypes: ['image/jpeg', 'application/pdf'] }))).toEqual([
      'jpeg',
      'jpg',
      'pdf',
    ]);
    expect(allowedExtensions(policy)).not.toEqual(expect.arrayContaining(['html']));
    for (const hostile of ['html', 'htm', 'svg', 'xml', 'js', 'exe', 'xhtml', 'shtml'])
      expect(allowedExtensions(policy)).not.toContain(hostile);
  });

  it('refuses a file name whose extension is off the list or cannot hold the declared type (property)', () => {
    const allowed = new Set(allowedExtensions(policy));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        fc.constantFrom(...policy.allowedTypes),
        (extension, contentType) => {
          const check = checkUploadRequest({ filename: `f.${extension}`, contentType, size: 1 }, policy);
          if (!allowed.has(extension))
            expect(check).toMatchObject({ ok: false, reason: 'EXTENSION_NOT_ALLOWED' });
          if (check.ok) expect(allowed.has(extension)).toBe(true);
        },
      ),
    );
    expect(
      checkUploadRequest({ filename: 'README', contentType: 'text/plain', size: 1 }, policy),
    ).toMatchObject({
      ok: false,
      reason: 'EXTENSION_NOT_ALLOWED',
    });
    expect(
      checkUploadRequest({ filename: 'x.pdf', contentType: 'image/png', size: 1 }, policy),
    ).toMatchObject({
      ok: false,
      reason: 'EXTENSION_NOT_ALLOWED',
    });
  });

  it('refuses a size over the configured maximum, and accepts exactly the maximum', () => {
    const small = uploadPolicy({ maxBytes: 1000, allowedTypes: ['application/pdf'], expirySeconds: 60 });
    expect(
      checkUploadRequest({ filename: 'a.pdf', contentType: 'application/pdf', size: 1001 }, small),
    ).toMatchObject({
      ok: false,
      reason: 'TOO_LARGE',
    });
    expect(
      checkUploadRequest({ filename: 'a.pdf', contentType: 'application/pdf', size: 1000 }, small),
    ).toMatchObject({
      ok: true,
    });
  });
});

describe('document keys', () => {
  const id = '0b6f1c5e-1d2a-4c3b-8e9f-a0b1c2d3e4f5';
  const alice = 'YWxpY2U'; // base64url("alice"), the segment the sample events carry

  it('puts uploads, manifests and quarantine under separate prefixes, each under its owner', () => {
    expect(ownerSegment('alice')).toBe(alice);
    expect(uploadKey({ owner: 'alice', id }, 'a b.pdf')).toBe(`uploads/${alice}/${id}/a b.pdf`);
    expect(uploadPrefix({ owner: 'alice', id })).toBe(`uploads/${alice}/${id}/`);
    expect(documentManifestKey({ owner: 'alice', id })).toBe(`manifests/${alice}/${id}.json`);
    expect(ownerManifestsPrefix('alice')).toBe(`manifests/${alice}/`);
    expect(quarantineKey({ owner: 'alice', id, filename: 'a b.pdf' })).toBe(
      `quarantine/${alice}/${id}/a b.pdf`,
    );
  });

  it('parses an upload key back into owner, id and file name', () => {
    expect(parseUploadKey(`uploads/${alice}/${id}/Grüße.txt`)).toEqual({
      owner: 'alice',
      id,
      filename: 'Grüße.txt',
    });
  });

  it.each([
    ['a manifest key', `manifests/${alice}/${id}.json`],
    ['a quarantine key', `quarantine/${alice}/${id}/a.pdf`],
    ['a key without owner (the layout before owners)', `uploads/${id}/a.pdf`],
    ['a key without file name', `uploads/${alice}/${id}`],
    ['a key with an empty file name', `uploads/${alice}/${id}/`],
    ['an id we did not issue', `uploads/${alice}/not-an-id/a.pdf`],
    ['an upper-case id', `uploads/${alice}/${id.toUpperCase()}/a.pdf`],
    ['a nested file name', `uploads/${alice}/${id}/nested/a.pdf`],
    ['an empty owner segment', `uploads//${id}/a.pdf`],
    ['a padded owner segment (not canonical)', `uploads/${alice}=/${id}/a.pdf`],
    ['a standard-base64 owner segment', `uploads/${Buffer.from('>>>').toString('base64')}/${id}/a.pdf`],
    ['a segment with characters outside base64url', `uploads/al.ce/${id}/a.pdf`],
    ['a non-canonical segment (stray low bits)', `uploads/YWxpY2V/${id}/a.pdf`],
    ['a segment of one character (no whole byte)', `uploads/Y/${id}/a.pdf`],
    ['a path-traversal segment', `uploads/../${id}/a.pdf`],
  ])('ignores %s, which is not an upload we issued', (_name, key) => {
    expect(parseUploadKey(key)).toBeUndefined();
  });

  it('reads a segment only when it is the canonical one of a non-empty owner', () => {
    expect(ownerOfSegment(alice)).toBe('alice');
    expect(ownerOfSegment('')).toBeUndefined();
    expect(ownerOfSegment(`${alice}=`)).toBeUndefined();
    expect(ownerOfSegment('YWxpY2V')).toBeUndefined(); // decodes to "alice" too, but is not its segment
    expect(ownerOfSegment('a/b')).toBeUndefined();
  });

  it.each([
    ['a path traversal', '../x'],
    ['a slash', 'a/b'],
    ['a parent directory', '..'],
    ['a dot', '.'],
    ['a tenant claim', 'org:acme/team-1'],
    ['Unicode', 'Grüße 你好 🎉'],
    ['control characters', 'a\u0000b\nc'],
    ['percent-encoding', 'a%2Fb'],
    ['the longest accepted owner', 'ä'.repeat(MAX_OWNER_BYTES / 2)],
  ])('keeps an owner with %s in one segment of its own prefix', (_name, owner) => {
    const segment = ownerSegment(owner);
    expect(segment).toMatch(/^[A-Za-z0-9_-]+$/);
    const key = uploadKey({ owner, id }, 'a.pdf');
    expect(key).toBe(`uploads/${segment}/${id}/a.pdf`);
    expect(key.split('/')).toHaveLength(4);
    expect(parseUploadKey(key)).toEqual({ owner, id, filename: 'a.pdf' });
    expect(documentManifestKey({ owner, id }).startsWith(ownerManifestsPrefix(owner))).toBe(true);
  });

  it('puts clean copies under clean/<owner>/<id>/, one key per inspection run, never under uploads/', () => {
    const upload = { owner: 'alice', id, filename: 'a.pdf' };
    const first = cleanKey(upload, 'run-1');
    expect(first).toMatch(new RegExp(`^clean/${alice}/${id}/[A-Za-z0-9_-]{22}/a\\.pdf$`));
    expect(cleanKey(upload, 'run-1')).toBe(first);
    expect(cleanKey(upload, 'run-2')).not.toBe(first);
    expect(parseUploadKey(first)).toBeUndefined();
    expect(documentPrefixes({ owner: 'alice', id })).toEqual([
      `uploads/${alice}/${id}/`,
      `clean/${alice}/${id}/`,
      `quarantine/${alice}/${id}/`,
      `manifests/${alice}/${id}.json`,
    ]);
  });

  it("keeps the longest keys (longest owner, longest file name) within S3's 1024 bytes", () => {
    const owner = '€'.repeat(Math.floor(MAX_OWNER_BYTES / 3)); // 3 bytes each: the most base64 per char
    const filename = 'x'.repeat(MAX_FILENAME_BYTES);
    for (const key of [
      uploadKey({ owner, id }, filename),
      quarantineKey({ owner, id, filename }),
      cleanKey({ owner, id, filename }, 'v'.repeat(1024)),
    ]) {
      expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(1024);
    }
  });

  it("gives different owners different segments, none a prefix of another's key space", () => {
    const owners = ['a', 'a/', 'a/b', 'ab', '..', '../', '.', 'A', 'alice', 'alice '];
    const segments = owners.map(ownerSegment);
    expect(new Set(segments).size).toBe(owners.length);
    for (const a of owners) {
      for (const b of owners) {
        if (a === b) continue;
        expect(uploadKey({ owner: b, id }, 'a.pdf').startsWith(uploadPrefix({ owner: a, id }))).toBe(false);
        expect(documentManifestKey({ owner: b, id }).startsWith(ownerManifestsPrefix(a))).toBe(false);
      }
    }
  });

  it("round-trips any owner and id through uploadKey and parseUploadKey, under that owner's prefix", () => {
    // 'binary' draws any Unicode code point (no lone surrogates: a JWT claim is well-formed UTF-8 JSON).
    const owners = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
    const filenames = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((name) => !name.includes('/'));
    fc.assert(
      fc.property(owners, fc.uuid(), filenames, (owner, documentId, filename) => {
        const key = uploadKey({ owner, id: documentId }, filename);
        expect(parseUploadKey(key)).toEqual({ owner, id: documentId, filename });
        expect(key.startsWith(`uploads/${ownerSegment(owner)}/`)).toBe(true);
        expect(ownerOfSegment(key.split('/')[1]!)).toBe(owner);
        expect(documentManifestKey({ owner, id: documentId })).toBe(
          `${ownerManifestsPrefix(owner)}${documentId}.json`,
        );
      }),
      { numRuns: 500 },
    );
  });

  it("never reads an owner out of a garbage segment unless it is that owner's canonical segment", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (segment) => {
        const owner = ownerOfSegment(segment);
        if (owner !== undefined) expect(ownerSegment(owner)).toBe(segment);
      }),
      { numRuns: 500 },
    );
  });
});
