import {
  guessContentType,
  parseUploadDocumentArgs,
  presignedPostForm,
  summariseManifest,
} from '../../../scripts/upload-document';

describe('document:upload argument parsing', () => {
  it('reads the path, --type, --url and --timeout', () => {
    expect(
      parseUploadDocumentArgs([
        'report.pdf',
        '--type',
        'application/pdf',
        '--url',
        'http://h:1/',
        '--timeout',
        '9',
      ]),
    ).toEqual({
      path: 'report.pdf',
      type: 'application/pdf',
      url: 'http://h:1',
      timeoutSeconds: 9,
      sub: 'local-user',
    });
    expect(parseUploadDocumentArgs(['a.png'])).toEqual({
      path: 'a.png',
      timeoutSeconds: 60,
      sub: 'local-user',
    });
  });

  it('uploads as --sub (a token from the local issuer), or with the --token given', () => {
    expect(parseUploadDocumentArgs(['a.png', '--sub', 'alice'])).toMatchObject({ sub: 'alice' });
    expect(parseUploadDocumentArgs(['a.png', '--token', 'eyJ.x.y'])).toMatchObject({ token: 'eyJ.x.y' });
  });

  it.each([
    [[]],
    [['a', 'b']],
    [['a', '--timeout', 'x']],
    [['a', '--size', '3']],
    [['a', '--sub', 'alice', '--token', 't']],
    [['a', '--sub', '']],
  ])('refuses %j', (args) => {
    expect(() => parseUploadDocumentArgs(args)).toThrow();
  });
});

describe('document:upload type guessing', () => {
  it.each([
    ['Scan.PDF', 'application/pdf'],
    ['photo.jpg', 'image/jpeg'],
    ['notes.md', 'text/plain'],
    ['package.json', 'application/json'],
    ['deck.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['archive.tar.gz', 'application/octet-stream'],
    ['Makefile', 'application/octet-stream'],
  ])('%s → %s', (filename, type) => {
    expect(guessContentType(filename)).toBe(type);
  });
});

describe('document:upload form', () => {
  it('puts every policy field first and the file last, named file, as a browser form does', async () => {
    const form = presignedPostForm(
      { key: 'uploads/1/a.txt', 'Content-Type': 'text/plain', Policy: 'p' },
      new Blob(['hello'], { type: 'text/plain' }),
      'a.txt',
    );
    const entries = [...form.entries()];
    expect(entries.map(([name]) => name)).toEqual(['key', 'Content-Type', 'Policy', 'file']);
    const file = entries[3]![1] as File;
    expect(file.name).toBe('a.txt');
    expect(file.type).toBe('text/plain');
    expect(await file.text()).toBe('hello');
  });
});

describe('document:upload summary', () => {
  it('shows status, type, size, sha256, pages and the download URL of a processed PDF', () => {
    const lines = summariseManifest({
      id: 'd1',
      status: 'processed',
      reason: null,
      size: 10,
      sha256: 'ab',
      detectedType: { mime: 'application/pdf' },
      metadata: { pages: 3 },
      download: { url: 'http://s3/x', expiresAt: '2026-11-23T16:00:00Z' },
    }).join('\n');
    expect(lines).toMatch(/status\s+processed\n/);
    expect(lines).toMatch(/type\s+application\/pdf/);
    expect(lines).toMatch(/size\s+10 bytes/);
    expect(lines).toMatch(/sha256\s+ab/);
    expect(lines).toMatch(/pages\s+3/);
    expect(lines).toMatch(/download\s+http:\/\/s3\/x/);
  });

  it('shows image dimensions, a note, unknown pages and why a file was quarantined', () => {
    const lines = summariseManifest({
      id: 'd2',
      status: 'quarantined',
      reason: { code: 'TYPE_MISMATCH', message: 'no' },
      detectedType: null,
      metadata: { width: 8, height: 6, pages: null, note: 'encrypted' },
      download: null,
    }).join('\n');
    expect(lines).toMatch(/quarantined \(TYPE_MISMATCH: no\)/);
    expect(lines).toMatch(/type\s+unknown/);
    expect(lines).toMatch(/dimensions\s+8 x 6/);
    expect(lines).toMatch(/pages\s+unknown/);
    expect(lines).toMatch(/note\s+encrypted/);
    expect(lines).toMatch(/download\s+none/);
  });
});
