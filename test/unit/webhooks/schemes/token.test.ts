import { createPublicKey, createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { findMatchingToken } from '../../../../src/webhooks/signature/token';

describe('findMatchingToken', () => {
  const keys = [Buffer.from('current-token-0001'), Buffer.from('previous-token-0002')];

  it('gives the index of the matching key, for a string or the same bytes', () => {
    expect(findMatchingToken(keys, 'current-token-0001')).toBe(0);
    expect(findMatchingToken(keys, Buffer.from('previous-token-0002'))).toBe(1);
  });

  it('gives -1 for a prefix, an extension, another case or an empty token', () => {
    for (const presented of ['current-token-000', 'current-token-00011', 'CURRENT-TOKEN-0001', ''])
      expect(findMatchingToken(keys, presented)).toBe(-1);
  });

  it('gives the first index when two keys are equal, and never matches a public key', () => {
    expect(findMatchingToken([keys[1]!, keys[1]!], 'previous-token-0002')).toBe(0);
    const publicKey = createPublicKey(
      createPrivateKey({
        key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 3)]),
        format: 'der',
        type: 'pkcs8',
      }),
    );
    expect(findMatchingToken([publicKey, keys[0]!], 'current-token-0001')).toBe(1);
  });

  it('matches exactly the equal bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const expected = Buffer.from(a).equals(Buffer.from(b)) ? 0 : -1;
        expect(findMatchingToken([Buffer.from(a)], Buffer.from(b))).toBe(expected);
      }),
    );
  });
});
