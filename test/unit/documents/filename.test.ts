import fc from 'fast-check';
import { MAX_FILENAME_BYTES, normalizeFilename } from '../../../src/documents/filename';

describe('normalizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['Quarterly report (final).pdf', 'Quarterly report (final).pdf'],
    ['Grüße 你好.txt', 'Grüße 你好.txt'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\My Doc.docx', 'My Doc.docx'],
    ['bad\u0000name\u0007.csv', 'badname.csv'],
    ['evil\u202Efdp.exe', 'evilfdp.exe'],
    ['  spaced out .png  ', 'spaced out .png'],
    ['...hidden', 'hidden'],
    ['Cafe\u0301.txt', 'Café.txt'],
    ['in\u200Bvoice.pdf', 'invoice.pdf'],
    ['\uFEFFreport\u2060.pdf', 'report.pdf'],
    ['pay\u2066roll\u2069.csv', 'payroll.csv'],
    ['soft\u00ADhyphen.txt', 'softhyphen.txt'],
    ['line\u2028break.txt', 'linebreak.txt'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeFilename(input)).toBe(expected);
  });

  it.each(['', '..', '/', 'dir/', '\u0000\u0001', '  .  ', '\u200B\u200C\u200D', '.\u202E.'])(
    'refuses %j, which leaves no usable name',
    (input) => {
      expect(normalizeFilename(input)).toBeUndefined();
    },
  );

  it('shortens long names to the byte limit and keeps the extension', () => {
    const name = normalizeFilename(`${'ä'.repeat(300)}.pdf`)!;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(name.endsWith('ä.pdf')).toBe(true);
  });

  it('never yields a separator, a control character or a traversal, whatever the input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (input) => {
        const name = normalizeFilename(input);
        if (name === undefined) return;
        // eslint-disable-next-line no-control-regex
        expect(name).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
        expect(name).not.toBe('..');
        expect(name.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
      }),
    );
  });

  it('drops every zero-width, bidi and other format character wherever it is inserted (property)', () => {
    // Every code point of the categories the brief of issue 12 names, plus the rest of Cf by property.
    const invisible = [
      0x00ad, 0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
      0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff, 0xe0001, 0xe0041,
    ];
    const visibleName = fc.stringMatching(/^[A-Za-z0-9 _()-]{1,40}\.(pdf|png|csv)$/);
    fc.assert(
      fc.property(
        visibleName,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...invisible)), { minLength: 1, maxLength: 8 }),
        (name, insertions) => {
          const chars = [...name];
          for (const [at, codePoint] of insertions)
            chars.splice(at % (chars.length + 1), 0, String.fromCodePoint(codePoint));
          const cleaned = normalizeFilename(chars.join(''));
          expect(cleaned).toBe(normalizeFilename(name));
          expect(cleaned ?? '').not.toMatch(/[\p{Cf}\p{Cc}\p{Cs}]/u);
        },
      ),
    );
  });

  it('never keeps a format, control or lone-surrogate character from any input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        expect(normalizeFilename(input) ?? '').not.toMatch(/[\p{Cf}\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u);
      }),
    );
  });
});
