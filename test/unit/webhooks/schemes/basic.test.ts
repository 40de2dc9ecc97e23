import fc from 'fast-check';
import { BadRequestError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { serialiseWebhookMessage } from '../../../../src/webhooks/message';
import { senders, signBasic } from '../../../../src/webhooks/senders';
import { decodeSigningKey, type WebhookRequest } from '../../../../src/webhooks/signature';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { verifyWithSecrets } from './verify-with-secrets';

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const credential = 'intake-hooks:correct horse battery';
const previous = 'intake-hooks:previous password 1';

const verify = (request: WebhookRequest, secrets: readonly string[]) =>
  verifyWithSecrets('basic', request, secrets, { nowMs });
const withAuthorization = (authorization: string): WebhookRequest => ({
  headers: { authorization },
  rawBody: '{}',
});

describe('basic scheme', () => {
  it("accepts RFC 7617's encoding of user:password, computed independently", () => {
    // RFC 7617 §2's example: Aladdin / open sesame → QWxhZGRpbjpvcGVuIHNlc2FtZQ==
    expect(signBasic('Aladdin:open sesame')).toEqual({ authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' });
    expect(verify(withAuthorization('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='), ['Aladdin:open sesame'])).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it('reads the scheme name in any case and after several spaces', () => {
    const token = Buffer.from(credential).toString('base64');
    for (const header of [`basic ${token}`, `BASIC ${token}`, `Basic   ${token}`])
      expect(verify(withAuthorization(header), [credential]).valid).toBe(true);
  });

  it('accepts any credential of a rotation list and says which one matched', () => {
    expect(verify({ headers: signBasic(previous), rawBody: '{}' }, [credential, previous])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it('refuses another password, another user, or a prefix of the credential as a mismatch', () => {
    for (const presented of [
      'intake-hooks:wrong password 12',
      'other-user:correct horse battery',
      credential.slice(0, -1),
    ])
      expect(verify({ headers: signBasic(presented), rawBody: '{}' }, [credential])).toMatchObject({
        failure: 'mismatch',
      });
  });

  it('reports no Authorization header, or one of another scheme, as missing (401)', () => {
    expect(verify({ headers: {}, rawBody: '{}' }, [credential])).toMatchObject({ failure: 'missing' });
    expect(verify(withAuthorization(''), [credential])).toMatchObject({ failure: 'missing' });
    expect(verify(withAuthorization('Bearer abc'), [credential])).toMatchObject({ failure: 'missing' });
    expect(verify(withAuthorization('Basic'), [credential])).toMatchObject({ failure: 'missing' });
  });

  it.each([
    ['text that is not base64', 'Basic not*base64'],
    ['base64 without its padding', `Basic ${Buffer.from(credential).toString('base64').replace(/=+$/, '')}`],
    ['base64 followed by junk', `Basic ${Buffer.from(credential).toString('base64')}!!`],
    ['url-safe base64', `Basic ${Buffer.from('a?>:b~~~').toString('base64url')}`],
    ['a credential without a colon', `Basic ${Buffer.from('no colon here').toString('base64')}`],
    ['an empty credential', 'Basic  '],
    ['non-canonical base64 (set bits after the last byte)', 'Basic YTp='],
  ])('reports %s as malformed (400)', (_name, header) => {
    expect(verify(withAuthorization(header), [credential])).toMatchObject({ failure: 'malformed' });
  });

  it('refuses a secret that is not user:password, or shorter than 16 bytes', () => {
    expect(decodeSigningKey('basic', 'a-long-password-without-a-colon')).toEqual({
      problem: 'is not user:password',
    });
    expect(decodeSigningKey('basic', 'user:short')).toEqual({ problem: expect.stringContaining('16 bytes') });
  });

  it('a presented credential is accepted exactly when it equals a configured one (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 16, maxLength: 40 }),
        (user, password) => {
          const configured = `${user.replace(/:/g, '')}x:${password}`;
          expect(verify({ headers: signBasic(configured), rawBody: '{}' }, [configured]).valid).toBe(true);
          expect(verify({ headers: signBasic(`${configured}!`), rawBody: '{}' }, [configured]).valid).toBe(
            false,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('basic scheme through acceptWebhook', () => {
  const deps = {
    sources: loadWebhookSources({ WEBHOOK_SECRET_BASIC: `${credential},${previous}` }),
    signingKeys: createSigningKeyResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 1024,
  };
  const sample = senders.basic.sampleBody('order.created', 'ord_1', nowMs / 1000);

  it('queues a delivery under its content id, typed from the body, without the credential', async () => {
    const body = sample.toString();
    const accepted = await acceptWebhook(
      {
        sourceParam: 'basic',
        headers: {
          ...senders.basic.sign({
            secret: credential,
            settings: {},
            body: sample,
            id: 'ord_1',
            event: 'order.created',
            nowSeconds: nowMs / 1000,
          }).headers,
          'content-type': 'application/json',
        },
        body,
        isBase64Encoded: false,
      },
      deps,
    );
    expect(accepted).toMatchObject({
      secretIndex: 0,
      message: { meta: { source: 'basic', id: contentDeliveryId('basic', body), type: 'order.created' } },
    });
    const text = serialiseWebhookMessage(
      (accepted as { message: Parameters<typeof serialiseWebhookMessage>[0] }).message,
    );
    expect(text).not.toContain(signBasic(credential).authorization!.slice(6));
    expect(text.toLowerCase()).not.toContain('authorization');
  });

  it('takes any body, typed unknown when it is not JSON with a type', async () => {
    const accepted = await acceptWebhook(
      { sourceParam: 'basic', headers: signBasic(previous), body: 'a=1&b=2', isBase64Encoded: false },
      deps,
    );
    expect(accepted).toMatchObject({ secretIndex: 1, message: { meta: { type: 'unknown' } } });
  });

  it('answers 401 without a credential and 400 for a malformed one', async () => {
    const post = { sourceParam: 'basic', body: '{}', isBase64Encoded: false };
    await expect(acceptWebhook({ ...post, headers: {} }, deps)).rejects.toThrow(UnauthorizedError);
    await expect(acceptWebhook({ ...post, headers: { authorization: 'Basic ***' } }, deps)).rejects.toThrow(
      BadRequestError,
    );
  });
});
