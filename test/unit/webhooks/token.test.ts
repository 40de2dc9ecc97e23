import type * as nodeCrypto from 'node:crypto';
import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { findMatchingToken } from '../../../src/webhooks/signature/token';

// The real compare, watched: which lengths it is given and how often.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof nodeCrypto>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const keys = ['current-shared-token', 'older-shared-token'].map((token) => Buffer.from(token));

describe('findMatchingToken', () => {
  it('gives the index of the configured token equal to the presented one, -1 for none', () => {
    expect(findMatchingToken(keys, 'current-shared-token')).toBe(0);
    expect(findMatchingToken(keys, Buffer.from('older-shared-token'))).toBe(1);
    expect(findMatchingToken(keys, 'current-shared-toke')).toBe(-1);
    expect(findMatchingToken(keys, 'current-shared-token ')).toBe(-1);
    expect(findMatchingToken(keys, 'CURRENT-SHARED-TOKEN')).toBe(-1);
    expect(findMatchingToken(keys, '')).toBe(-1);
    expect(findMatchingToken([], 'current-shared-token')).toBe(-1);
  });

  it('gives the first index when two configured tokens are equal', () => {
    expect(findMatchingToken([keys[1]!, keys[1]!], 'older-shared-token')).toBe(0);
  });

  it('never matches a public key among the keys', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(findMatchingToken([publicKey, ...keys], 'older-shared-token')).toBe(2);
  });

  it('compares every key as equal-length digests, even after a match (no length or position leaks)', () => {
    const compare = jest.mocked(timingSafeEqual);
    compare.mockClear();
    findMatchingToken(keys, 'current-shared-token');
    findMatchingToken(keys, 'x');
    expect(compare).toHaveBeenCalledTimes(4);
    for (const [a, b] of compare.mock.calls) {
      expect(a.byteLength).toBe(32);
      expect(b.byteLength).toBe(32);
    }
  });

  it('property: a token matches itself and nothing that differs from it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (token, other) => {
        expect(findMatchingToken([Buffer.from(token)], token)).toBe(0);
        if (other !== token) expect(findMatchingToken([Buffer.from(token)], other)).toBe(-1);
      }),
    );
  });

  it('property: presented bytes match exactly when they equal the configured bytes (any bytes, empty too)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const expected = Buffer.from(a).equals(Buffer.from(b)) ? 0 : -1;
        expect(findMatchingToken([Buffer.from(a)], Buffer.from(b))).toBe(expected);
      }),
    );
  });
});
