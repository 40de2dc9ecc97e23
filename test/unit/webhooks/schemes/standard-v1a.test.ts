import { createPrivateKey, createPublicKey, sign, verify as cryptoVerify } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { BadRequestError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { maxEd25519Signatures } from '../../../../src/webhooks/schemes/standard';
import { senders, signStandard, standardPublicKey } from '../../../../src/webhooks/senders';
import { decodeSigningKey, type WebhookRequest } from '../../../../src/webhooks/signature';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';
import { verifyWithSecrets } from './verify-with-secrets';

/**
 * The v1a vector of the Standard Webhooks JavaScript library's pull request #308 ("Added tests for v1a
 * javascript", commit 659f674, standard-webhooks/standard-webhooks, unmerged): the ed25519 key pair of
 * the seed 0x01 × 32 (made by @stablelib/ed25519, an implementation independent of node:crypto), the
 * specification's message and timestamp. Its `whsk_` is libsodium's 64-byte seed-and-public-key form.
 */
const seed = Buffer.alloc(32, 1);
const vector = {
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1a,Ykcu7AtGZGmZxFEH1Gaa2Nd7feY/CTuruoL4fqgnKwfbHU4DhemoVHZdvGfIvKvn4BIgwktLGGPGIr/i9nK7AA==',
};
const atVectorTime = vector.timestamp * 1000;
const seedSigningKey = `whsk_${seed.toString('base64')}`;
const publicKey = standardPublicKey(seedSigningKey);
const libsodiumSigningKey = `whsk_${Buffer.concat([seed, Buffer.from(publicKey.slice(5), 'base64')]).toString('base64')}`;
const hmacSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const vectorHeaders = {
  'webhook-id': vector.id,
  'webhook-timestamp': String(vector.timestamp),
  'webhook-signature': vector.signature,
};

const verify = (request: WebhookRequest, secrets: readonly string[], nowMs = atVectorTime) =>
  verifyWithSecrets('standard', request, secrets, { nowMs });

/** Another fixed key pair, for rotation. */
const otherSigningKey = `whsk_${Buffer.alloc(32, 2).toString('base64')}`;

describe('standard scheme, v1a (ed25519)', () => {
  it("derives the vector's public key from its seed, in both whsk_ forms", () => {
    expect(publicKey).toBe('whpk_iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=');
    expect(standardPublicKey(libsodiumSigningKey)).toBe(publicKey);
  });

  it('accepts the published v1a vector with its whpk_ public key', () => {
    expect(verify({ headers: vectorHeaders, rawBody: vector.payload }, [publicKey])).toEqual({
      valid: true,
      secretIndex: 0,
    });
    expect(verify({ headers: vectorHeaders, rawBody: Buffer.from(vector.payload) }, [publicKey]).valid).toBe(
      true,
    );
  });

  it('signs the vector exactly, from the 32-byte seed and from the 64-byte libsodium key', () => {
    for (const signingKey of [seedSigningKey, libsodiumSigningKey])
      expect(signStandard(signingKey, vector.id, vector.payload, vector.timestamp)).toEqual(vectorHeaders);
  });

  it('agrees with node:crypto used independently (JWK private key, DER SPKI public key)', () => {
    const message = Buffer.from(`${vector.id}.${vector.timestamp}.${vector.payload}`);
    const x = Buffer.from(publicKey.slice(5), 'base64').toString('base64url');
    const jwkPrivate = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x },
      format: 'jwk',
    });
    expect(`v1a,${sign(null, message, jwkPrivate).toString('base64')}`).toBe(vector.signature);
    const spki = createPublicKey({
      key: Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(publicKey.slice(5), 'base64'),
      ]),
      format: 'der',
      type: 'spki',
    });
    const ours = signStandard(otherSigningKey, 'msg_2', '{"a":1}', vector.timestamp)['webhook-signature']!;
    const otherPublic = createPublicKey(
      createPrivateKey({
        key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 2)]),
        format: 'der',
        type: 'pkcs8',
      }),
    );
    expect(
      cryptoVerify(
        null,
        Buffer.from(`msg_2.${vector.timestamp}.{"a":1}`),
        otherPublic,
        Buffer.from(ours.slice(4), 'base64'),
      ),
    ).toBe(true);
    expect(cryptoVerify(null, message, spki, Buffer.from(vector.signature.slice(4), 'base64'))).toBe(true);
  });

  it('verifies a non-ASCII text body as its UTF-8 bytes, given as text or as a Buffer', () => {
    const body = '{"type":"café.ordered","note":"東京 ✓ — \u{1F600}"}';
    const headers = signStandard(seedSigningKey, vector.id, Buffer.from(body, 'utf8'), vector.timestamp);
    expect(verify({ headers, rawBody: body }, [publicKey]).valid).toBe(true);
    expect(verify({ headers, rawBody: Buffer.from(body, 'utf8') }, [publicKey]).valid).toBe(true);
    expect(verify({ headers, rawBody: body.replace('✓', '✔') }, [publicKey]).valid).toBe(false);
  });

  it('refuses a tampered body, id or timestamp, and a signature by another key', () => {
    expect(verify({ headers: vectorHeaders, rawBody: '{"test": 2432232315}' }, [publicKey])).toMatchObject({
      failure: 'mismatch',
    });
    expect(
      verify({ headers: { ...vectorHeaders, 'webhook-id': 'msg_other' }, rawBody: vector.payload }, [
        publicKey,
      ]),
    ).toMatchObject({ failure: 'mismatch' });
    const shifted = { ...vectorHeaders, 'webhook-timestamp': String(vector.timestamp + 1) };
    expect(verify({ headers: shifted, rawBody: vector.payload }, [publicKey])).toMatchObject({
      failure: 'mismatch',
    });
    const byOther = signStandard(otherSigningKey, vector.id, vector.payload, vector.timestamp);
    expect(verify({ headers: byOther, rawBody: vector.payload }, [publicKey])).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('applies ±300 s inclusive before any ed25519 work', () => {
    const request = { headers: vectorHeaders, rawBody: vector.payload };
    expect(verify(request, [publicKey], atVectorTime + 300_000).valid).toBe(true);
    expect(verify(request, [publicKey], atVectorTime - 300_000).valid).toBe(true);
    expect(verify(request, [publicKey], atVectorTime + 301_000)).toMatchObject({ failure: 'stale' });
    expect(verify(request, [publicKey], atVectorTime - 301_000)).toMatchObject({ failure: 'stale' });
  });

  it('checks v1 entries with whsec_ keys only and v1a entries with whpk_ keys only', () => {
    const v1 = signStandard(hmacSecret, vector.id, vector.payload, vector.timestamp);
    expect(verify({ headers: v1, rawBody: vector.payload }, [publicKey])).toMatchObject({
      failure: 'mismatch',
    });
    expect(verify({ headers: vectorHeaders, rawBody: vector.payload }, [hmacSecret])).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('takes several keys of both kinds for rotation, and says which one matched', () => {
    const otherPublic = standardPublicKey(otherSigningKey);
    const request = { headers: vectorHeaders, rawBody: vector.payload };
    expect(verify(request, [hmacSecret, otherPublic, publicKey])).toEqual({ valid: true, secretIndex: 2 });
    // A provider signing with both kinds during a move from v1 to v1a: one header, two entries.
    const both = signStandard([otherSigningKey, hmacSecret], vector.id, vector.payload, vector.timestamp);
    expect(both['webhook-signature']).toMatch(/^v1a,\S{88} v1,\S{44}$/);
    expect(verify({ headers: both, rawBody: vector.payload }, [publicKey, hmacSecret])).toEqual({
      valid: true,
      secretIndex: 1,
    });
    expect(verify({ headers: both, rawBody: vector.payload }, [publicKey, otherPublic])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it.each([
    ['a short signature', 'v1a,Ykcu7AtGZGmZxFEH1Gaa2Nd7feY='],
    ['a signature without its padding', vector.signature.slice(0, -2)],
    ['url-safe base64', vector.signature.replace(/\//g, '_')],
    ['a valid signature followed by garbage', `${vector.signature}AA`],
    ['an empty value', 'v1a,'],
  ])('treats %s as no v1a entry (malformed when there is no other)', (_name, signature) => {
    const headers = { ...vectorHeaders, 'webhook-signature': signature };
    expect(verify({ headers, rawBody: vector.payload }, [publicKey])).toMatchObject({ failure: 'malformed' });
    const withValid = { ...vectorHeaders, 'webhook-signature': `${signature} ${vector.signature}` };
    expect(verify({ headers: withValid, rawBody: vector.payload }, [publicKey]).valid).toBe(true);
  });

  it(`refuses more than ${maxEd25519Signatures} v1a entries as malformed, without verifying them`, () => {
    const many = Array.from({ length: maxEd25519Signatures }, () => vector.signature.replace('Ykcu', 'AAAA'));
    const atLimit = { ...vectorHeaders, 'webhook-signature': [...many.slice(1), vector.signature].join(' ') };
    expect(verify({ headers: atLimit, rawBody: vector.payload }, [publicKey]).valid).toBe(true);
    const over = { ...vectorHeaders, 'webhook-signature': [...many, vector.signature].join(' ') };
    expect(verify({ headers: over, rawBody: vector.payload }, [publicKey])).toMatchObject({
      failure: 'malformed',
    });
  });

  it('a signed body always verifies, and any single changed byte never does (fast-check)', () => {
    assertSignedBodiesVerifyAndChangedBytesDoNot({
      sign: (signingKey, body) => signStandard(signingKey, 'msg_prop', body, vector.timestamp),
      verify: (headers, rawBody, signingKey) => verify({ headers, rawBody }, [standardPublicKey(signingKey)]),
      secrets: fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((seedBytes) => `whsk_${Buffer.from(seedBytes).toString('base64')}`),
      numRuns: 200,
    });
  });
});

describe('standard scheme keys', () => {
  it('refuses a whsk_ signing key as a receiver secret, naming what to configure instead', () => {
    expect(decodeSigningKey('standard', seedSigningKey)).toEqual({
      problem: 'is a signing key; configure its whpk_ public key',
    });
    expect(() => loadWebhookSources({ WEBHOOK_SECRET_STANDARD: `${hmacSecret},${seedSigningKey}` })).toThrow(
      /WEBHOOK_SECRET_STANDARD secret 2 of 2 is a signing key; configure its whpk_ public key/,
    );
  });

  it.each([
    ['31 bytes', `whpk_${Buffer.alloc(31, 1).toString('base64')}`],
    ['33 bytes', `whpk_${Buffer.alloc(33, 1).toString('base64')}`],
    ['text that is not base64', 'whpk_not a key at all, not base64!'],
    ['a lone prefix', 'whpk_'],
  ])('refuses a whpk_ key of %s without quoting it', (_name, secret) => {
    const decoded = decodeSigningKey('standard', secret);
    expect(decoded).toEqual({ problem: expect.stringContaining('whpk_<base64') });
    expect(JSON.stringify(decoded)).not.toContain(secret.slice(5) || '\u0000');
  });

  it('takes whsec_ and whpk_ keys mixed in one source', () => {
    const sources = loadWebhookSources({ WEBHOOK_SECRET_STANDARD: `${publicKey},${hmacSecret}` });
    const keys = createSigningKeyResolver()(sources.get('standard')!) as readonly unknown[];
    expect(keys).toHaveLength(2);
    expect(Buffer.isBuffer(keys[0])).toBe(false);
    expect(Buffer.isBuffer(keys[1])).toBe(true);
  });

  it('refuses to sign with a whpk_ public key or a malformed key', () => {
    expect(() => signStandard(publicKey, 'msg_1', '{}', 1)).toThrow(/whsk_/);
    expect(() => signStandard('whsk_short', 'msg_1', '{}', 1)).toThrow(/whsk_/);
    expect(() => signStandard('whsec_!!', 'msg_1', '{}', 1)).toThrow(/whsec_/);
    expect(() => standardPublicKey(hmacSecret)).toThrow(/whsk_/);
  });
});

describe('standard scheme, v1 against the standardwebhooks 1.3.0 library', () => {
  const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
  afterEach(() => jest.restoreAllMocks());

  it("accepts what the library's Webhook.sign produces", () => {
    const library = new Webhook(hmacSecret);
    const body = '{"type":"invoice.paid","data":{"id":1}}';
    const headers = {
      'webhook-id': 'msg_lib',
      'webhook-timestamp': String(nowMs / 1000),
      'webhook-signature': library.sign('msg_lib', new Date(nowMs), body),
    };
    expect(verify({ headers, rawBody: body }, [hmacSecret], nowMs)).toEqual({ valid: true, secretIndex: 0 });
  });

  it("signs what the library's Webhook.verify accepts", () => {
    jest.spyOn(Date, 'now').mockReturnValue(nowMs);
    const body = '{"type":"invoice.paid"}';
    const headers = signStandard(hmacSecret, 'msg_ours', body, nowMs / 1000);
    expect(new Webhook(hmacSecret).verify(body, headers)).toEqual({ type: 'invoice.paid' });
    expect(() => new Webhook(hmacSecret).verify(`${body} `, headers)).toThrow('No matching signature found');
  });
});

describe('standard endpoint verification (webhook-challenge)', () => {
  const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
  const nowSeconds = nowMs / 1000;
  const deps = {
    sources: loadWebhookSources({
      WEBHOOK_SECRET_STANDARD: `${hmacSecret},${publicKey}`,
      WEBHOOK_SECRET_SIGNED: publicKey,
      WEBHOOK_SCHEME_SIGNED: 'standard',
    }),
    signingKeys: createSigningKeyResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 1024,
  };
  const challengeRequest = (challenge: string, source = 'standard', secret = hmacSecret): IncomingWebhook => {
    const handshake = senders.standard.handshake!({ secret, settings: {}, challenge, nowSeconds });
    return {
      sourceParam: source,
      headers: handshake.headers,
      body: handshake.body!.toString(),
      isBase64Encoded: false,
    };
  };

  it('answers a signed challenge 204 with the webhook-challenge-response the library expects', async () => {
    const accepted = await acceptWebhook(challengeRequest('c-4a7f'), deps);
    expect(accepted).toEqual({
      handshake: {
        statusCode: 204,
        contentType: 'text/plain',
        body: '',
        headers: {
          'webhook-challenge-response': new Webhook(hmacSecret).endpointVerificationResponse('c-4a7f'),
        },
      },
    });
    const answer = (accepted as { handshake: { headers: Record<string, string> } }).handshake.headers;
    expect(() =>
      new Webhook(hmacSecret).verifyEndpointVerificationResponse(
        'c-4a7f',
        answer['webhook-challenge-response']!,
      ),
    ).not.toThrow();
    const handshake = senders.standard.handshake!({
      secret: hmacSecret,
      settings: {},
      challenge: 'c-4a7f',
      nowSeconds,
    });
    expect(handshake.check(204, '', answer)).toBeUndefined();
    expect(handshake.check(204, '', { 'webhook-challenge-response': 'v1,AAAA' })).toMatch(/expected/);
    expect(handshake.check(401, '', answer)).toMatch(/2xx/);
  });

  it('answers a challenge signed v1a, with the source’s whsec_ key', async () => {
    const request = challengeRequest('c-v1a');
    const headers = {
      ...request.headers,
      ...signStandard(seedSigningKey, 'msg_verify', request.body!, nowSeconds),
    };
    const accepted = await acceptWebhook({ ...request, headers }, deps);
    expect(accepted).toMatchObject({
      handshake: {
        headers: {
          'webhook-challenge-response': new Webhook(hmacSecret).endpointVerificationResponse('c-v1a'),
        },
      },
    });
  });

  it('refuses an unsigned or wrongly signed challenge (401), answering nothing', async () => {
    const request = challengeRequest('c-1');
    const { 'webhook-signature': _signature, ...unsigned } = request.headers as Record<string, string>;
    await expect(acceptWebhook({ ...request, headers: unsigned }, deps)).rejects.toThrow(UnauthorizedError);
    await expect(
      acceptWebhook(
        challengeRequest('c-1', 'standard', `whsec_${Buffer.alloc(24, 9).toString('base64')}`),
        deps,
      ),
    ).rejects.toThrow(UnauthorizedError);
  });

  it('refuses an empty or overlong challenge, or a source with no whsec_ key to answer with (400)', async () => {
    await expect(acceptWebhook(challengeRequest('x'.repeat(257)), deps)).rejects.toThrow(BadRequestError);
    const request = challengeRequest('c-1');
    await expect(
      acceptWebhook({ ...request, headers: { ...request.headers, 'webhook-challenge': '' } }, deps),
    ).rejects.toThrow(BadRequestError);
    await expect(acceptWebhook(challengeRequest('x'.repeat(256)), deps)).resolves.toHaveProperty('handshake');
    const v1aOnly = challengeRequest('c-2', 'signed');
    const headers = {
      ...v1aOnly.headers,
      ...signStandard(seedSigningKey, 'msg_v', v1aOnly.body!, nowSeconds),
    };
    await expect(acceptWebhook({ ...v1aOnly, headers }, deps)).rejects.toThrow(/only whpk_ keys/);
  });

  it('sends a sample body of the Standard Webhooks shape', () => {
    expect(JSON.parse(senders.standard.sampleBody('invoice.paid', 'msg_1', nowSeconds).toString())).toEqual({
      type: 'invoice.paid',
      timestamp: '2026-06-01T10:00:00.000Z',
      data: { hello: 'intake' },
    });
  });

  it('has no handshake to offer a whsk_ sender', () => {
    expect(() =>
      senders.standard.handshake!({ secret: seedSigningKey, settings: {}, challenge: 'c', nowSeconds }),
    ).toThrow(/whsec_/);
  });
});
