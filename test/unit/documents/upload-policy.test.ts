import {
  DEFAULT_MAX_UPLOAD_BYTES,
  checkUploadRequest,
  uploadPolicy,
} from '../../../src/documents/upload-policy';
import {
  documentManifestKey,
  parseUploadKey,
  quarantineKey,
  uploadKey,
} from '../../../src/documents/document-keys';

describe('upload policy', () => {
  const policy = uploadPolicy();

  it('defaults to 100 MB, a short expiry and common document types', () => {
    expect(policy.maxBytes).toBe(100 * 1024 * 1024);
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(policy.maxBytes);
    expect(policy.expirySeconds).toBeLessThanOrEqual(900);
    expect(policy.allowedTypes).toEqual(expect.arrayContaining(['application/pdf', 'image/png', 'text/csv']));
  });

  it('accepts an allowed type within the size limit and normalises the type', () => {
    expect(checkUploadRequest({ contentType: 'image/JPG', size: 10 }, policy)).toEqual({
      ok: true,
      contentType: 'image/jpeg',
    });
  });

  it('refuses a type off the allow-list', () => {
    expect(checkUploadRequest({ contentType: 'application/x-msdownload', size: 10 }, policy)).toMatchObject({
      ok: false,
      reason: 'TYPE_NOT_ALLOWED',
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses size %p', (size) => {
    expect(checkUploadRequest({ contentType: 'application/pdf', size }, policy)).toMatchObject({
      ok: false,
      reason: 'INVALID_SIZE',
    });
  });

  it('refuses a size over the configured maximum, and accepts exactly the maximum', () => {
    const small = uploadPolicy({ maxBytes: 1000, allowedTypes: ['application/pdf'], expirySeconds: 60 });
    expect(checkUploadRequest({ contentType: 'application/pdf', size: 1001 }, small)).toMatchObject({
      ok: false,
      reason: 'TOO_LARGE',
    });
    expect(checkUploadRequest({ contentType: 'application/pdf', size: 1000 }, small)).toMatchObject({
      ok: true,
    });
  });
});

describe('document keys', () => {
  const id = '0b6f1c5e-1d2a-4c3b-8e9f-a0b1c2d3e4f5';

  it('puts uploads, manifests and quarantine under separate prefixes', () => {
    expect(uploadKey(id, 'a b.pdf')).toBe(`uploads/${id}/a b.pdf`);
    expect(documentManifestKey(id)).toBe(`manifests/${id}.json`);
    expect(quarantineKey({ id, filename: 'a b.pdf' })).toBe(`quarantine/${id}/a b.pdf`);
  });

  it('parses an upload key back into id and file name', () => {
    expect(parseUploadKey(`uploads/${id}/Grüße.txt`)).toEqual({ id, filename: 'Grüße.txt' });
  });

  it.each([
    `manifests/${id}.json`,
    `uploads/${id}`,
    `uploads/${id}/`,
    `uploads/not-an-id/a.pdf`,
    `uploads/${id}/nested/a.pdf`,
  ])('ignores %s, which is not an upload we issued', (key) => {
    expect(parseUploadKey(key)).toBeUndefined();
  });
});
