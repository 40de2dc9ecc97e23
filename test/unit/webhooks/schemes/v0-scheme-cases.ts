import type { WebhookRequest } from '../../../../src/webhooks/signature';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';
import { verifyWithSecrets } from './verify-with-secrets';

/**
 * The cases every `v0=<hex>` over `v0:<timestamp>:<body>` scheme (Slack, Zoom) must pass, run by each
 * provider's test file against that provider's headers and sender.
 */
export interface V0SchemeCase {
  readonly scheme: 'slack' | 'zoom';
  readonly signatureHeader: string;
  readonly timestampHeader: string;
  readonly sign: (secret: string, body: string | Buffer, timestampSeconds: number) => Record<string, string>;
  /** A body of the provider's shape. */
  readonly body: string;
}

export const v0NowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
export const v0NowSeconds = v0NowMs / 1000;

export function describeV0Signature({ scheme, signatureHeader, timestampHeader, sign, body }: V0SchemeCase) {
  const secret = `${scheme} current secret 0123456789`;
  const older = `${scheme} older secret 0123456789`;

  const verify = (
    request: WebhookRequest,
    secrets: readonly string[] = [secret],
    options: { nowMs?: number; toleranceSeconds?: number } = {},
  ) => verifyWithSecrets(scheme, request, secrets, { ...options, nowMs: options.nowMs ?? v0NowMs });
  const signed = (rawBody: string | Buffer = body, seconds = v0NowSeconds, key = secret): WebhookRequest => ({
    headers: sign(key, rawBody, seconds),
    rawBody,
  });

  describe(`${scheme}: v0=<hex> over v0:<timestamp>:<raw body>`, () => {
    it('accepts what its sender signs, as text or as the same bytes base64-decoded (a Buffer)', () => {
      expect(verify(signed())).toEqual({ valid: true, secretIndex: 0 });
      expect(verify({ ...signed(), rawBody: Buffer.from(body) })).toEqual({ valid: true, secretIndex: 0 });
    });

    it('refuses a tampered body and a wrong secret as mismatch', () => {
      expect(verify({ ...signed(), rawBody: `${body} ` })).toMatchObject({
        valid: false,
        failure: 'mismatch',
      });
      expect(verify(signed(body, v0NowSeconds, `${scheme} someone else 0123456789`))).toMatchObject({
        valid: false,
        failure: 'mismatch',
      });
    });

    it('refuses a re-signed timestamp header that the signature did not cover', () => {
      const request = signed();
      const moved = { ...request.headers, [timestampHeader]: String(v0NowSeconds + 1) };
      expect(verify({ ...request, headers: moved })).toMatchObject({ valid: false, failure: 'mismatch' });
    });

    it('answers missing when there is no signature header (a 401)', () => {
      const { [signatureHeader]: _dropped, ...headers } = signed().headers;
      expect(verify({ headers, rawBody: body })).toMatchObject({ valid: false, failure: 'missing' });
      expect(verify({ headers: { ...headers, [signatureHeader]: '' }, rawBody: body })).toMatchObject({
        failure: 'missing',
      });
    });

    const digest = signed().headers[signatureHeader]!.slice(3);
    it.each([
      ['another version', `v1=${digest}`],
      ['no version', digest],
      ['a short digest', `v0=${digest.slice(1)}`],
      ['a long digest', `v0=${digest}0`],
      ['a non-hex digit', `v0=${digest.slice(1)}g`],
      ['a space', `v0= ${digest.slice(1)}`],
    ])('answers malformed (a 400) for a signature with %s', (_name, value) => {
      expect(
        verify({ ...signed(), headers: { ...signed().headers, [signatureHeader]: value } }),
      ).toMatchObject({
        valid: false,
        failure: 'malformed',
      });
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['in milliseconds with a fraction', '1780308000.5'],
      ['negative', '-1780308000'],
      ['in exponent form', '1.78e9'],
    ])('answers malformed (a 400) for a timestamp that is %s', (_name, value) => {
      const headers: Record<string, string | undefined> = { ...signed().headers, [timestampHeader]: value };
      expect(verify({ headers, rawBody: body })).toMatchObject({ valid: false, failure: 'malformed' });
    });

    it('accepts a timestamp 300 s old or ahead, and refuses 301 s either way as stale', () => {
      for (const offset of [-300, 300]) expect(verify(signed(body, v0NowSeconds + offset)).valid).toBe(true);
      for (const offset of [-301, 301])
        expect(verify(signed(body, v0NowSeconds + offset))).toMatchObject({ valid: false, failure: 'stale' });
    });

    it('holds the timestamp to the configured tolerance', () => {
      expect(verify(signed(body, v0NowSeconds - 30), [secret], { toleranceSeconds: 10 })).toMatchObject({
        failure: 'stale',
      });
    });

    it('accepts a delivery signed with an older secret during rotation, saying which one matched', () => {
      expect(verify(signed(body, v0NowSeconds, older), [secret, older])).toEqual({
        valid: true,
        secretIndex: 1,
      });
      expect(verify(signed(body, v0NowSeconds, older), [secret])).toMatchObject({ failure: 'mismatch' });
    });

    it('property: any body under any secret verifies, and any single-byte change of it does not', () => {
      assertSignedBodiesVerifyAndChangedBytesDoNot({
        sign: (key, rawBody) => signed(rawBody, v0NowSeconds, key),
        verify: (request, rawBody, key) => verify({ ...request, rawBody }, [key]),
      });
    });
  });
}
