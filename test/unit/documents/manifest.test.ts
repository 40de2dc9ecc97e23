import { buildManifest, judgeDocument } from '../../../src/documents/manifest';
import type { DocumentInspection } from '../../../src/documents/inspection/inspect-document';
import { uploadPolicy } from '../../../src/documents/upload-policy';

const policy = uploadPolicy({ maxBytes: 1000 });

function inspection(overrides: Partial<DocumentInspection> = {}): DocumentInspection {
  return {
    size: 100,
    sha256: 'ab'.repeat(32),
    detectedType: { mime: 'application/pdf', ext: 'pdf', source: 'magic' },
    declaredType: 'application/pdf',
    extension: 'pdf',
    declaredTypeMatches: true,
    extensionMatches: true,
    metadata: { pages: 2, encrypted: false, pdfVersion: '1.7' },
    timings: { readMs: 1, analyseMs: 2 },
    ...overrides,
  };
}

describe('judgeDocument', () => {
  it('keeps a well-formed allowed file', () => {
    expect(judgeDocument(inspection(), policy)).toEqual({ status: 'processed', reason: null });
  });

  it.each<[string, Partial<DocumentInspection>, string]>([
    ['an empty file', { size: 0 }, 'EMPTY'],
    ['a file over the limit', { size: 1001 }, 'TOO_LARGE'],
    [
      'content off the allow-list',
      { detectedType: { mime: 'application/x-msdownload', ext: 'exe', source: 'magic' } },
      'TYPE_NOT_ALLOWED',
    ],
    ['content contradicting the declared type', { declaredTypeMatches: false }, 'TYPE_MISMATCH'],
    ['an extension contradicting the content', { extensionMatches: false }, 'EXTENSION_MISMATCH'],
    ['a truncated PDF', { metadata: { pages: null, truncated: true } }, 'DAMAGED'],
    ['a PDF without pages', { metadata: { pages: 0 } }, 'NO_PAGES'],
    [
      'data after the end marker (a polyglot)',
      { metadata: { pages: 2, trailingBytes: 120 } },
      'TRAILING_DATA',
    ],
    ['a file whose end marker is missing', { metadata: { pages: 2, trailingBytes: null } }, 'DAMAGED'],
    [
      'a PDF whose pages cannot be counted even by repair',
      { metadata: { pages: null, note: 'x' } },
      'DAMAGED',
    ],
    [
      'a PDF with JavaScript',
      { metadata: { pages: 2, activeContent: ['OpenAction', 'JavaScript'] } },
      'ACTIVE_CONTENT',
    ],
  ])('quarantines %s', (_name, overrides, code) => {
    expect(judgeDocument(inspection(overrides), policy)).toEqual({
      status: 'quarantined',
      reason: { code, message: expect.any(String) },
    });
  });

  it('keeps an encrypted PDF whose pages cannot be read (encryption, not damage), and a repaired one', () => {
    expect(judgeDocument(inspection({ metadata: { pages: null, encrypted: true } }), policy).status).toBe(
      'processed',
    );
    expect(judgeDocument(inspection({ metadata: { pages: 32, recovered: true } }), policy).status).toBe(
      'processed',
    );
  });

  it('keeps trailing data and active content when the policy allows them', () => {
    const lenient = uploadPolicy({
      maxBytes: 1000,
      allowTrailingData: true,
      quarantinedPdfActiveContent: [],
    });
    const metadata = { pages: 2, trailingBytes: 10, activeContent: ['JavaScript' as const] };
    expect(judgeDocument(inspection({ metadata }), lenient).status).toBe('processed');
  });

  it('names the quarantined active content in its reason', () => {
    const metadata = { pages: 2, activeContent: ['OpenAction' as const, 'Launch' as const] };
    expect(judgeDocument(inspection({ metadata }), policy).reason).toEqual({
      code: 'ACTIVE_CONTENT',
      message: 'The PDF holds active content: /Launch',
    });
  });

  it('keeps a file whose extension and declared type say nothing', () => {
    expect(
      judgeDocument(inspection({ declaredTypeMatches: null, extensionMatches: null }), policy).status,
    ).toBe('processed');
  });
});

describe('buildManifest', () => {
  it('combines identity (with the owner), inspection and verdict into the stored manifest', () => {
    const manifest = buildManifest(
      {
        id: 'id-1',
        owner: 'alice',
        filename: 'a.pdf',
        uploadKey: 'uploads/YWxpY2U/id-1/a.pdf',
        storedKey: 'clean/YWxpY2U/id-1/c/a.pdf',
        inspectedKey: 'clean/YWxpY2U/id-1/c/a.pdf',
        etag: '"e"',
        versionId: null,
        sourceVersion: 'e:1',
        uploadedAt: '2026-01-01T00:00:00.000Z',
        processedAt: new Date('2026-01-01T00:00:01.000Z'),
        totalMs: 12.3456,
      },
      inspection(),
      { status: 'processed', reason: null },
    );
    expect(manifest).toEqual({
      schemaVersion: 2,
      id: 'id-1',
      owner: 'alice',
      filename: 'a.pdf',
      uploadKey: 'uploads/YWxpY2U/id-1/a.pdf',
      storedKey: 'clean/YWxpY2U/id-1/c/a.pdf',
      inspectedKey: 'clean/YWxpY2U/id-1/c/a.pdf',
      size: 100,
      sha256: 'ab'.repeat(32),
      detectedType: { mime: 'application/pdf', ext: 'pdf', source: 'magic' },
      declaredType: 'application/pdf',
      extension: 'pdf',
      metadata: { pages: 2, encrypted: false, pdfVersion: '1.7' },
      status: 'processed',
      reason: null,
      etag: '"e"',
      versionId: null,
      sourceVersion: 'e:1',
      uploadedAt: '2026-01-01T00:00:00.000Z',
      processedAt: '2026-01-01T00:00:01.000Z',
      timings: { readMs: 1, analyseMs: 2, totalMs: 12.35 },
    });
  });
});
