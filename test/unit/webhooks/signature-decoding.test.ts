import fc from 'fast-check';
import { decodeDigest, hmacSha256 } from '../../../src/webhooks/signature/hmac';
import { parseUnixSeconds } from '../../../src/webhooks/signature/timestamp';
import { createHmac } from 'node:crypto';

// The strict forms, as patterns: what decodeDigest and parseUnixSeconds must accept, and nothing else.
const hexDigest = /^[0-9a-fA-F]{64}$/;
const base64Digest = /^[A-Za-z0-9+/]{43}=$/;
const unixSeconds = /^\d{1,12}$/;

/** A valid encoding of a digest with one character replaced by anything (the interesting near-misses). */
const nearMiss = (encoding: 'hex' | 'base64') =>
  fc
    .tuple(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.nat(),
      fc.oneof(
        fc.constantFrom('=', '-', '_', ' ', '\n', 'g', 'G', '/', '+', '.', 'é', '\u0130', '\u0660', '\uff10'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
    )
    .map(([bytes, at, replacement]) => {
      const text = Buffer.from(bytes).toString(encoding);
      const index = at % text.length;
      return text.slice(0, index) + replacement + text.slice(index + 1);
    });

describe('decodeDigest', () => {
  it('decodes any SHA-256 digest written in hex (either case) or base64 to its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(decodeDigest(hex, 'hex')).toEqual(new Uint8Array(bytes));
        expect(decodeDigest(hex.toUpperCase(), 'hex')).toEqual(new Uint8Array(bytes));
        expect(decodeDigest(Buffer.from(bytes).toString('base64'), 'base64')).toEqual(new Uint8Array(bytes));
      }),
    );
  });

  it.each(['hex', 'base64'] as const)(
    'accepts exactly the strict %s form, decoding it as Node does, and refuses every near miss',
    (encoding) => {
      const strict = encoding === 'hex' ? hexDigest : base64Digest;
      fc.assert(
        fc.property(fc.oneof(nearMiss(encoding), fc.string({ unit: 'binary', maxLength: 70 })), (text) => {
          const decoded = decodeDigest(text, encoding);
          if (strict.test(text)) expect(decoded).toEqual(new Uint8Array(Buffer.from(text, encoding)));
          else expect(decoded).toBeUndefined();
        }),
        { numRuns: 3000 },
      );
    },
  );

  it.each([
    ['hex', 'a valid digest followed by more hex', `${'ab'.repeat(32)}00`],
    ['hex', 'a digest one digit short', 'a'.repeat(63)],
    ['hex', 'a digest with a non-hex pair at the end', `${'a'.repeat(62)}zz`],
    ['base64', 'a digest without its padding', 'A'.repeat(43)],
    ['base64', 'url-safe base64', `${'-'.repeat(42)}A=`],
    ['base64', 'a padded digest with a space inside', `${'A'.repeat(20)} ${'A'.repeat(22)}=`],
  ] as const)('refuses %s: %s', (encoding, _name, text) => {
    expect(decodeDigest(text, encoding)).toBeUndefined();
  });
});

describe('parseUnixSeconds', () => {
  it.each([
    ['0', 0],
    ['1614265330', 1614265330],
    ['000000000042', 42],
    ['999999999999', 999999999999],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseUnixSeconds(text)).toBe(seconds);
  });

  it.each([
    ['nothing', undefined],
    ['an empty text', ''],
    ['13 digits', '1234567890123'],
    ['an exponent', '1e9'],
    ['a negative number', '-5'],
    ['a fraction', '12.5'],
    ['a leading space', ' 1614265330'],
    ['a trailing space', '1614265330 '],
    ['Arabic-Indic digits', '\u0661\u0662\u0663'],
    ['full-width digits', '\uff11\uff12'],
    ['hex', '0x10'],
  ])('refuses %s', (_name, text) => {
    expect(parseUnixSeconds(text)).toBeUndefined();
  });

  it('agrees with "1 to 12 ASCII digits, as a number" on any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({
            unit: fc.constantFrom('0', '1', '9', '5', 'e', '-', '.', ' ', '٣', '/', ':'),
            maxLength: 14,
          }),
          fc.string({ unit: 'binary', maxLength: 14 }),
        ),
        (text) => {
          expect(parseUnixSeconds(text)).toBe(unixSeconds.test(text) ? Number(text) : undefined);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('hmacSha256', () => {
  it('is the HMAC of the prefix and the body concatenated, for text and bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 300 }), (prefix, body) => {
        const key = Buffer.from('a signing key of some length');
        const expected = createHmac('sha256', key)
          .update(Buffer.from(prefix + body, 'utf8'))
          .digest();
        expect(hmacSha256(key, prefix, body)).toEqual(expected);
        expect(hmacSha256(key, prefix, Buffer.from(body, 'utf8'))).toEqual(expected);
      }),
    );
  });
});
