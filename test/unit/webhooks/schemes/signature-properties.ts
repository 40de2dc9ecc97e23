import fc from 'fast-check';
import type { SignatureCheck } from '../../../../src/webhooks/signature';

/** One signing scheme as the body-integrity property sees it: the provider's side and intake's. */
export interface SignedBodyScheme<Signed> {
  /** Signs `body` under `secret` as the provider does: what it sends along (headers, query…). */
  readonly sign: (secret: string, body: Buffer) => Signed;
  /** Intake's verdict on `body` arriving with `signed`, `secret` being the one configured secret. */
  readonly verify: (signed: Signed, body: Buffer, secret: string) => SignatureCheck;
  /** The secrets to try (default: any text of 16 to 64 characters). */
  readonly secrets?: fc.Arbitrary<string>;
  readonly numRuns?: number;
}

/**
 * The property every body-signing scheme must hold: any body (1 to 512 bytes, any bytes) signed under
 * any secret verifies with that secret, and the same signature over the body with any one byte changed
 * is refused as a mismatch.
 */
export function assertSignedBodiesVerifyAndChangedBytesDoNot<Signed>({
  sign,
  verify,
  secrets = fc.string({ minLength: 16, maxLength: 64 }),
  numRuns,
}: SignedBodyScheme<Signed>): void {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 512 }),
      secrets,
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (bytes, secret, position, delta) => {
        const body = Buffer.from(bytes);
        const signed = sign(secret, body);
        expect(verify(signed, body, secret)).toEqual({ valid: true, secretIndex: 0 });
        const changed = Buffer.from(body);
        const index = position % changed.length;
        changed[index] = (changed[index]! + delta) % 256;
        expect(verify(signed, changed, secret)).toMatchObject({ valid: false, failure: 'mismatch' });
      },
    ),
    numRuns === undefined ? {} : { numRuns },
  );
}
