import fc from 'fast-check';
import { contentDisposition, downloadHeaders } from '../../../src/documents/download-headers';
import { normalizeFilename } from '../../../src/documents/filename';

/** The `filename*` value of a Content-Disposition, decoded as RFC 5987 says a browser does. */
function extendedFilename(header: string): string {
  const match = /; filename\*=UTF-8''([^;\s]*)$/.exec(header);
  if (!match) throw new Error(`no filename* in ${header}`);
  return decodeURIComponent(match[1]!);
}

describe('downloadHeaders', () => {
  const pdf = { filename: 'Grüße "Q3" report.pdf', detectedType: { mime: 'application/pdf' } };

  it('makes every download an attachment with the detected type unless inline is configured', () => {
    expect(downloadHeaders(pdf, [])).toEqual({
      contentDisposition:
        'attachment; filename="Gr__e _Q3_ report.pdf"; filename*=UTF-8\'\'Gr%C3%BC%C3%9Fe%20%22Q3%22%20report.pdf',
      contentType: 'application/pdf',
    });
  });

  it('shows a type inline only when the setting names it', () => {
    expect(downloadHeaders(pdf, ['application/pdf']).contentDisposition).toMatch(/^inline; /);
    expect(downloadHeaders(pdf, ['image/png']).contentDisposition).toMatch(/^attachment; /);
  });

  it.each([
    'text/html',
    'image/svg+xml',
    'application/xml',
    'text/xml',
    'application/javascript',
    'application/xhtml+xml',
  ])('never shows %s inline and serves it as bytes, whatever the setting says', (mime) => {
    const headers = downloadHeaders({ filename: 'x.bin', detectedType: { mime } }, [mime]);
    expect(headers).toEqual({
      contentDisposition: expect.stringMatching(/^attachment; /),
      contentType: 'application/octet-stream',
    });
  });

  it('round-trips any file name through filename* and keeps the fallback a plain quoted string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), (raw) => {
        const filename = normalizeFilename(raw);
        if (filename === undefined) return;
        const header = contentDisposition('attachment', filename);
        expect(extendedFilename(header)).toBe(filename);
        const fallback = /^attachment; filename="([^"]*)"; filename\*=/.exec(header)?.[1];
        expect(fallback).toBeDefined();
        expect(fallback).toMatch(/^[\x20-\x7e]*$/);
        expect(fallback).not.toMatch(/["\\]/);
        // Only RFC 5987 attr-chars and %XX escapes after UTF-8'': no quote, space, semicolon or comma.
        expect(header.split("UTF-8''")[1]).toMatch(/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*$/);
      }),
    );
  });
});
