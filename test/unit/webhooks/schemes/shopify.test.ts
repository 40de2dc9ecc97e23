import { BadRequestError, InvalidJsonError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { shopify, verifyShopifySignature } from '../../../../src/webhooks/schemes/shopify';
import { senders, signShopify } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';

// No reference package: Shopify's own verifier lives in @shopify/shopify-api (19.6 MB, needs a full app
// config and runtime adapter), too heavy for a devDependency; the published vector below pins the
// construction, which is one HMAC call.

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const secret = 'shpss_unit_test_client_secret';
const olderSecret = 'shpss_unit_test_older_secret';
const body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"20.00"}';

const verify = (headers: Record<string, string>, rawBody: string | Buffer, secrets = [secret]) =>
  verifyShopifySignature({
    request: { headers, rawBody },
    keys: secrets.map((value) => Buffer.from(value)),
    nowMs,
  });

describe('shopify scheme: verification', () => {
  it("passes Shopify's published vector (shopify-app-js lib/webhooks/__tests__/validate.test.ts)", () => {
    // secret `test_secret_key` (test-config.ts), body `{"foo": "bar"}`: provider-vectors.md §1, VERIFIED.
    // The secret is 15 bytes, under intake's 16-byte minimum, so the key is given to the verifier as is.
    const vectorBody = '{"foo": "bar"}';
    const vector = 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=';
    expect(signShopify('test_secret_key', vectorBody)).toEqual({ 'x-shopify-hmac-sha256': vector });
    expect(verify({ 'x-shopify-hmac-sha256': vector }, vectorBody, ['test_secret_key'])).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it("accepts the Events deliveries' unprefixed lower-case header", () => {
    const header = signShopify(secret, body)['x-shopify-hmac-sha256']!;
    expect(verify({ 'shopify-hmac-sha256': header }, body).valid).toBe(true);
  });

  it('verifies a body API Gateway handed over base64-decoded as bytes', () => {
    expect(verify(signShopify(secret, body), Buffer.from(body)).valid).toBe(true);
  });

  it('refuses a tampered body and a wrong secret as a mismatch (401)', () => {
    const headers = signShopify(secret, body);
    expect(verify(headers, `${body} `)).toMatchObject({ valid: false, failure: 'mismatch' });
    expect(verify(signShopify('shpss_someone_elses_secret', body), body)).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
  });

  it.each([
    ['hex instead of base64', 'a'.repeat(64)],
    ['a truncated digest', 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g'],
    ['trailing text', 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=x'],
    ['a prefix', 'sha256=B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g='],
    ['characters outside base64', 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7!='],
  ])('refuses a header with %s as malformed (400)', (_name, header) => {
    expect(verify({ 'x-shopify-hmac-sha256': header }, body)).toMatchObject({
      valid: false,
      failure: 'malformed',
    });
  });

  it('refuses a missing or empty header as missing (401)', () => {
    expect(verify({}, body)).toMatchObject({ valid: false, failure: 'missing' });
    expect(verify({ 'x-shopify-hmac-sha256': '' }, body)).toMatchObject({ valid: false, failure: 'missing' });
  });

  it('accepts a body signed with an older secret during rotation and says which one matched', () => {
    expect(verify(signShopify(olderSecret, body), body, [secret, olderSecret])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it('takes the client secret as UTF-8 bytes and refuses one shorter than 16 bytes', () => {
    expect(shopify.decodeKey(secret)).toEqual({ key: Buffer.from(secret) });
    expect(shopify.decodeKey('short')).toEqual({ problem: expect.stringContaining('16 bytes') });
  });

  it('property: any body under any secret verifies, and changing any one byte of it does not', () => {
    assertSignedBodiesVerifyAndChangedBytesDoNot({
      sign: signShopify,
      verify: (headers, body, key) => verify(headers, body, [key]),
    });
  });
});

describe('shopify scheme: identity', () => {
  it('keeps X-Shopify-Webhook-Id for tracing (it is unsigned) and takes X-Shopify-Topic as the type', () => {
    expect(
      shopify.identify(
        {
          headers: { 'x-shopify-webhook-id': 'b54557e4-bdd9', 'x-shopify-topic': 'orders/create' },
          rawBody: body,
        },
        {},
      ),
    ).toEqual({ providerId: 'b54557e4-bdd9', eventType: 'orders/create' });
  });

  it("reads the Events deliveries' shopify-webhook-id and shopify-topic", () => {
    expect(
      shopify.identify(
        { headers: { 'shopify-webhook-id': 'ev-1', 'shopify-topic': 'products/update' }, rawBody: body },
        {},
      ),
    ).toEqual({ providerId: 'ev-1', eventType: 'products/update' });
  });

  it('refuses a webhook id that cannot be a delivery id (400)', () => {
    expect(() =>
      shopify.identify({ headers: { 'x-shopify-webhook-id': 'not an id!' }, rawBody: body }, {}),
    ).toThrow(BadRequestError);
  });
});

describe('shopify scheme: through acceptWebhook', () => {
  const deps = {
    sources: loadWebhookSources({ WEBHOOK_SECRET_SHOPIFY: `${secret},${olderSecret}` }),
    signingKeys: createSigningKeyResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 4096,
  };
  const sender = senders.shopify;
  const sampleBody = sender.sampleBody(sender.defaultEvent, 'b54557e4-bdd9-4b37', nowMs / 1000);
  const post = (headers: Record<string, string>, text = sampleBody.toString()): IncomingWebhook => ({
    sourceParam: 'shopify',
    headers: { 'content-type': sender.contentType, ...headers },
    body: text,
    isBase64Encoded: false,
  });
  const signed = (id = 'b54557e4-bdd9-4b37', key = secret) =>
    sender.sign({
      secret: key,
      settings: {},
      body: sampleBody,
      id,
      event: 'orders/create',
      nowSeconds: nowMs / 1000,
    }).headers;

  it("queues the sender's delivery by its content id, with the topic as type and the webhook id for tracing", async () => {
    const accepted = await acceptWebhook(post(signed()), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.secretIndex).toBe(0);
    expect(accepted.message.meta).toMatchObject({
      source: 'shopify',
      id: contentDeliveryId('shopify', sampleBody),
      providerId: 'b54557e4-bdd9-4b37',
      type: 'orders/create',
    });
    expect(accepted.message.meta.headers).toMatchObject({
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'intake-quickstart.myshopify.com',
    });
    expect(accepted.message.meta.headers).not.toHaveProperty('x-shopify-hmac-sha256');
  });

  it('gives a copy of the same body under another webhook id the same delivery id (the id is unsigned)', async () => {
    const first = await acceptWebhook(post(signed('id-one')), deps);
    const second = await acceptWebhook(post(signed('id-two', olderSecret)), deps);
    if (!('message' in first) || !('message' in second)) throw new Error('expected deliveries');
    expect(second.message.meta.id).toBe(first.message.meta.id);
    expect(second.secretIndex).toBe(1);
  });

  it('answers a tampered body 401, a malformed header 400 and a signed non-JSON body 400', async () => {
    await expect(acceptWebhook(post(signed(), `${sampleBody.toString()} `), deps)).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(acceptWebhook(post({ 'x-shopify-hmac-sha256': 'nonsense' }), deps)).rejects.toThrow(
      BadRequestError,
    );
    await expect(acceptWebhook(post(signShopify(secret, '[1]'), '[1]'), deps)).rejects.toThrow(
      InvalidJsonError,
    );
  });
});
