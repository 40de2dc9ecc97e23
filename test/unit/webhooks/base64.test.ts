import fc from 'fast-check';
import { decodeCanonicalBase64 } from '../../../src/webhooks/signature/base64';

describe('decodeCanonicalBase64', () => {
  it('gives back any bytes from their canonical padded base64, and from the unpadded form only when optional', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(decodeCanonicalBase64(text)).toEqual(Buffer.from(bytes));
        const unpadded = text.replace(/=+$/, '');
        expect(decodeCanonicalBase64(unpadded, 'optional')).toEqual(Buffer.from(bytes));
        if (unpadded !== text) expect(decodeCanonicalBase64(unpadded)).toBeUndefined();
      }),
    );
  });

  it.each([
    ['empty', ''],
    ['a character outside the alphabet', 'Zm9v!!=='],
    ['URL-safe characters', 'a-_b'],
    ['spare bits set (two spellings of one value)', 'Zm9='],
    ['padding in the middle', 'Zg==Zg=='],
    ['the wrong amount of padding', 'Zg='],
    ['whitespace', 'Zm9v '],
  ])('refuses %s', (_case, text) => {
    expect(decodeCanonicalBase64(text)).toBeUndefined();
    expect(decodeCanonicalBase64(text, 'optional')).toBeUndefined();
  });
});
