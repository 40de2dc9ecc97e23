import { NodeSha256 } from '../../../../plugins/local-stack/s3-proxy/node-sha256';

const hex = async (hash: NodeSha256) => Buffer.from(await hash.digest()).toString('hex');

describe('NodeSha256', () => {
  it('hashes as SHA-256 without a secret (FIPS 180-2 "abc")', async () => {
    const hash = new NodeSha256();
    hash.update('abc');
    expect(await hex(hash)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is HMAC-SHA-256 with a secret, given as text or as a view into a larger buffer (RFC 4231 case 2)', async () => {
    const padded = Buffer.from('xxJefexx');
    for (const secret of ['Jefe', new Uint8Array(padded.buffer, padded.byteOffset + 2, 4)]) {
      const hash = new NodeSha256(secret);
      hash.update(new TextEncoder().encode('what do ya want for nothing?'));
      expect(await hex(hash)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    }
  });
});
