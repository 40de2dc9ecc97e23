import {
  BadRequestError,
  ForbiddenError,
  InvalidJsonError,
  MethodNotAllowedError,
  UnauthorizedError,
} from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { answerMetaHandshake, meta } from '../../../../src/webhooks/schemes/meta';
import { senders, signGithub, signMeta } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver, createSourceSettingResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { realReceiveEndpoint } from './receive-handler';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';

// Meta publishes no test vectors and no official verifier on npm (provider-vectors.md §4). Its
// construction is GitHub's, whose published vector the github tests pass; the handshake follows
// developers.facebook.com/docs/graph-api/webhooks/getting-started ("Verification Requests").

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const appSecret = 'meta-unit-test-app-secret-0123';
const olderSecret = 'meta-unit-test-older-app-secret';
const verifyToken = 'meatyhamhock-unit-token';
const sender = senders.meta;
const sampleBody = sender.sampleBody(sender.defaultEvent, 'delivery-1', nowMs / 1000);

const verify = (headers: Record<string, string>, rawBody: string | Buffer, secrets = [appSecret]) =>
  meta.verify({
    request: { headers, rawBody },
    keys: secrets.map((value) => Buffer.from(value)),
    nowMs,
    settings: {},
  });

describe('meta scheme: verification', () => {
  it('accepts X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body> under the App Secret', () => {
    expect(signMeta(appSecret, sampleBody)).toEqual(signGithub(appSecret, sampleBody));
    expect(verify(signMeta(appSecret, sampleBody), sampleBody)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('refuses a tampered body or a wrong secret (401), a malformed header (400), a missing one (401)', () => {
    expect(
      verify(signMeta(appSecret, sampleBody), Buffer.concat([sampleBody, Buffer.from(' ')])),
    ).toMatchObject({ valid: false, failure: 'mismatch' });
    expect(verify(signMeta('meta-someone-elses-app-secret', sampleBody), sampleBody)).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
    expect(verify({ 'x-hub-signature-256': 'sha1=abc' }, sampleBody)).toMatchObject({ failure: 'malformed' });
    expect(verify({ 'x-hub-signature-256': `sha256=${'g'.repeat(64)}` }, sampleBody)).toMatchObject({
      failure: 'malformed',
    });
    expect(verify({}, sampleBody)).toMatchObject({ valid: false, failure: 'missing' });
  });

  it('accepts a body signed with the older App Secret during rotation and says which one matched', () => {
    expect(verify(signMeta(olderSecret, sampleBody), sampleBody, [appSecret, olderSecret])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it('property: any body under any secret verifies, and changing any one byte of it does not', () => {
    assertSignedBodiesVerifyAndChangedBytesDoNot({
      sign: signMeta,
      verify: (headers, body, key) => verify(headers, body, [key]),
    });
  });

  it("takes the body's object as the type and sends no id: deliveries are deduplicated by content", () => {
    expect(meta.identify({ headers: {}, rawBody: '' }, {}, { object: 'page', entry: [] })).toEqual({
      eventType: 'page',
    });
    expect(meta.identify({ headers: {}, rawBody: '' }, {}, { entry: [] })).toEqual({ eventType: undefined });
  });
});

describe('meta scheme: the subscription handshake', () => {
  const query = (overrides: Record<string, string | undefined> = {}) => ({
    'hub.mode': 'subscribe',
    'hub.verify_token': verifyToken,
    'hub.challenge': '1158201444',
    ...overrides,
  });
  /** `null`: a source with no verify token configured. */
  const handshake = (q: Record<string, string | undefined>, token: string | null = verifyToken) =>
    answerMetaHandshake({
      method: 'GET',
      request: { headers: {}, rawBody: '' },
      query: q,
      keys: [],
      ...(token === null ? {} : { verifyToken: token }),
    });

  it('answers 200 text/plain with the challenge exactly when the verify token matches', () => {
    expect(handshake(query())).toEqual({
      statusCode: 200,
      contentType: 'text/plain; charset=utf-8',
      body: '1158201444',
    });
    expect(handshake(query({ 'hub.challenge': 'Az09-_.~+/=' }))?.body).toBe('Az09-_.~+/=');
  });

  it('refuses a wrong verify token 403, whatever its length', () => {
    for (const token of ['meatyhamhock-unit-toke', `${verifyToken}x`, 'x', ''])
      expect(() => handshake(query({ 'hub.verify_token': token }))).toThrow(ForbiddenError);
  });

  it('refuses every handshake 403 when the source has no verify token, before looking at the query', () => {
    expect(() => handshake(query(), null)).toThrow(ForbiddenError);
    expect(() => handshake({}, null)).toThrow(ForbiddenError);
    expect(() => handshake(query(), null)).toThrow('The verify token does not match');
  });

  it.each([
    ['another mode', { 'hub.mode': 'unsubscribe' }],
    ['no mode', { 'hub.mode': undefined }],
    ['no verify token', { 'hub.verify_token': undefined }],
    ['no challenge', { 'hub.challenge': undefined }],
  ])('answers %s 400', (_name, overrides) => {
    expect(() => handshake(query(overrides))).toThrow(BadRequestError);
  });

  it.each([
    ['empty', ''],
    ['longer than 256 characters', '1'.repeat(257)],
    ['markup', '<script>alert(1)</script>'],
    ['a space', '11 58'],
    ['a control character', '1158\n201444'],
    ['non-ASCII text', 'défi'],
    ['an ampersand or quote', `a&b"c'`],
  ])(
    "refuses a challenge that is %s (400): the endpoint reflects nothing of a caller's choosing",
    (_n, c) => {
      expect(() => handshake(query({ 'hub.challenge': c }))).toThrow(BadRequestError);
    },
  );

  it('echoes a challenge of exactly 256 printable characters', () => {
    expect(handshake(query({ 'hub.challenge': '7'.repeat(256) }))?.body).toHaveLength(256);
  });

  it('never treats a POST as a handshake', () => {
    expect(
      answerMetaHandshake({
        method: 'POST',
        request: { headers: {}, rawBody: '' },
        query: query(),
        keys: [],
        verifyToken,
      }),
    ).toBeUndefined();
  });

  it("the sender's handshake is the GET Meta sends, and checks the answer is the challenge exactly", () => {
    const request = sender.handshake!({
      secret: appSecret,
      settings: {},
      nowSeconds: 0,
      verifyToken,
      challenge: '42',
    });
    expect(request.method).toBe('GET');
    expect(Object.fromEntries(new URLSearchParams(request.query))).toEqual(query({ 'hub.challenge': '42' }));
    expect(request.check(200, '42')).toBeUndefined();
    expect(request.check(200, '42\n')).toContain('not the challenge');
    expect(request.check(403, '42')).toContain('403');
    expect(() =>
      sender.handshake!({ secret: appSecret, settings: {}, nowSeconds: 0, challenge: '42' }),
    ).toThrow('WEBHOOK_VERIFY_TOKEN_');
  });
});

describe('meta scheme: through acceptWebhook', () => {
  const environment = {
    WEBHOOK_SECRET_META: `${appSecret},${olderSecret}`,
    WEBHOOK_VERIFY_TOKEN_META: verifyToken,
    WEBHOOK_SECRET_WHATSAPP: appSecret,
    WEBHOOK_SCHEME_WHATSAPP: 'meta',
  };
  const deps = {
    sources: loadWebhookSources(environment),
    signingKeys: createSigningKeyResolver(),
    sourceSetting: createSourceSettingResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 4096,
  };
  const get = (rawQueryString: string, sourceParam = 'meta'): IncomingWebhook => ({
    sourceParam,
    headers: {},
    body: undefined,
    isBase64Encoded: false,
    method: 'GET',
    rawQueryString,
  });
  const challengeQuery = (token = verifyToken) =>
    new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.challenge': '1158201444',
      'hub.verify_token': token,
    }).toString();

  it('answers the GET handshake with the challenge, and queues nothing', async () => {
    expect(await acceptWebhook(get(challengeQuery()), deps)).toEqual({
      handshake: { statusCode: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' },
    });
  });

  it('refuses the handshake 403 for a wrong token and for a meta source without a verify token', async () => {
    await expect(acceptWebhook(get(challengeQuery('guessed-token')), deps)).rejects.toThrow(ForbiddenError);
    await expect(acceptWebhook(get(challengeQuery(), 'whatsapp'), deps)).rejects.toThrow(ForbiddenError);
    await expect(acceptWebhook(get('hub.mode=unsubscribe'), deps)).rejects.toThrow(BadRequestError);
  });

  it("queues the sender's delivery by its content id, typed by the body object", async () => {
    const accepted = await acceptWebhook(
      {
        sourceParam: 'meta',
        headers: {
          'content-type': 'application/json',
          ...sender.sign({
            secret: olderSecret,
            settings: {},
            body: sampleBody,
            id: 'delivery-1',
            event: sender.defaultEvent,
            nowSeconds: nowMs / 1000,
          }).headers,
        },
        body: sampleBody.toString(),
        isBase64Encoded: false,
      },
      deps,
    );
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.secretIndex).toBe(1);
    expect(accepted.message.meta).toMatchObject({
      source: 'meta',
      id: contentDeliveryId('meta', sampleBody),
      type: 'whatsapp_business_account',
    });
    expect(accepted.message.meta).not.toHaveProperty('providerId');
    expect(accepted.message.meta.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('answers an unsigned POST 401 and a signed body that is not a JSON object 400', async () => {
    const post = (headers: Record<string, string>, body: string): IncomingWebhook => ({
      sourceParam: 'meta',
      headers,
      body,
      isBase64Encoded: false,
    });
    await expect(acceptWebhook(post({}, sampleBody.toString()), deps)).rejects.toThrow(UnauthorizedError);
    await expect(acceptWebhook(post(signMeta(appSecret, '[]'), '[]'), deps)).rejects.toThrow(
      InvalidJsonError,
    );
  });

  it('answers 405 to a method other than GET and POST', async () => {
    await expect(acceptWebhook({ ...get(challengeQuery()), method: 'PUT' }, deps)).rejects.toThrow(
      MethodNotAllowedError,
    );
  });
});

describe('GET /webhooks/{source} through the real handler (functions/webhook-receive.ts)', () => {
  const endpoint = realReceiveEndpoint({
    WEBHOOK_SECRET_GITHUB: 'unit test github secret',
    WEBHOOK_SECRET_META: appSecret,
    WEBHOOK_VERIFY_TOKEN_META: verifyToken,
  });
  const subscribe = `hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${verifyToken}`;

  it('answers Meta the challenge as text/plain, exactly, and sends nothing to the queue', async () => {
    const { result, queued } = await endpoint.get('meta', subscribe);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    expect(result.body).toBe('1158201444');
    expect(queued).toHaveLength(0);
  });

  it('answers a wrong verify token 403 and sends nothing to the queue', async () => {
    const { result, queued } = await endpoint.get('meta', subscribe.replace(verifyToken, 'guessed'));
    expect(result.statusCode).toBe(403);
    expect(result.body).not.toContain('1158201444');
    expect(queued).toHaveLength(0);
  });

  it('answers a GET to a GitHub source 405: only schemes with a GET handshake take GET', async () => {
    const { result, queued } = await endpoint.get('github', subscribe);
    expect(result.statusCode).toBe(405);
    expect(queued).toHaveLength(0);
  });

  it('queues a signed Meta delivery with its content id and type, and answers 202 with that id', async () => {
    const { result, queued } = await endpoint.post(
      'meta',
      { 'content-type': 'application/json', ...signMeta(appSecret, sampleBody) },
      sampleBody.toString(),
    );
    expect(result.statusCode).toBe(202);
    const id = contentDeliveryId('meta', sampleBody);
    expect(JSON.parse(result.body as string)).toEqual({ id });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ source: 'meta', id, type: 'whatsapp_business_account' });
  });
});
