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
  ])('%j → %j', (input, expected) => {
    expect(normalizeFilename(input)).toBe(expected);
  });

  it.each(['', '..', '/', 'dir/', '\u0000\u0001', '  .  '])(
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
});
