/**
 * Zoom publishes no test vector, and no usable reference package: `@zoom/rivet` verifies
 * `JSON.stringify` of the parsed body (not the bytes received) with `===`, and its verifier is internal.
 * So the construction is pinned by a vector derived here with node:crypto alone, over the body of Zoom's
 * own sample (zoom/webhook-sample README), and by the shared v0 cases (v0-scheme-cases.ts).
 */
import { createHmac } from 'node:crypto';
import { BadRequestError, InvalidJsonError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId, identifyDelivery } from '../../../../src/webhooks/delivery';
import { zoom } from '../../../../src/webhooks/schemes/zoom';
import { senders, signZoom, zoomValidationAnswer } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { realReceiveHandler } from './receive-handler';
import { describeV0Signature, v0NowMs, v0NowSeconds } from './v0-scheme-cases';
import { verifyWithSecrets } from './verify-with-secrets';

const secret = 'zoom secret token for tests';
const older = 'zoom older secret token for tests';
const sources = loadWebhookSources({ WEBHOOK_SECRET_ZOOM: `${secret},${older}` });
const source = sources.get('zoom')!;
const deps = {
  sources,
  signingKeys: createSigningKeyResolver(),
  nowMs: () => v0NowMs,
  maxBodyBytes: 64 * 1024,
};

// The body of Zoom's webhook-sample README (meeting.started), compact as Zoom sends it.
const sampleBody =
  '{"event":"meeting.started","payload":{"account_id":"{ACCOUNT_ID}","object":{"duration":0,' +
  '"start_time":"2021-11-02T20:43:19Z","timezone":"America/Denver","topic":"{TOPIC}","id":"{MEETING_ID}",' +
  '"type":4,"uuid":"{MEETING_UUID}","host_id":"{HOST_ID}"}},"event_ts":1635885799302}';

const post = (body: string, headers: Record<string, string> = {}, key = secret): IncomingWebhook => ({
  sourceParam: 'zoom',
  headers: {
    'content-type': 'application/json; charset=utf-8',
    ...signZoom(key, body, v0NowSeconds),
    ...headers,
  },
  body,
  isBase64Encoded: false,
});

describeV0Signature({
  scheme: 'zoom',
  signatureHeader: 'x-zm-signature',
  timestampHeader: 'x-zm-request-timestamp',
  sign: signZoom,
  body: sampleBody,
});

describe('zoom: the construction, derived independently', () => {
  // "v0:" + x-zm-request-timestamp + ":" + body, HMAC-SHA256 under the Secret Token, hex, "v0=" prefix
  // (developers.zoom.us "Verify webhook events"; provider-vectors.md §3).
  const timestamp = 1635885799;
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${sampleBody}`).digest('hex')}`;

  it('signs the sample body as Zoom documents the construction', () => {
    expect(signZoom(secret, sampleBody, timestamp)).toEqual({
      'x-zm-signature': expected,
      'x-zm-request-timestamp': String(timestamp),
    });
  });

  it('accepts that signature at its own time', () => {
    const request = {
      headers: { 'x-zm-signature': expected, 'x-zm-request-timestamp': String(timestamp) },
      rawBody: sampleBody,
    };
    expect(verifyWithSecrets('zoom', request, [secret], { nowMs: timestamp * 1000 })).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });
});

describe('zoom: delivery id and event type', () => {
  it("types a delivery by the body's event and deduplicates it by content, keeping x-zm-trackingid for tracing", async () => {
    const accepted = await acceptWebhook(
      post(sampleBody, { 'x-zm-trackingid': 'tracking id; with spaces' }),
      deps,
    );
    if (!('message' in accepted)) throw new Error('Expected a delivery');
    expect(accepted.message.meta).toMatchObject({
      id: contentDeliveryId('zoom', sampleBody),
      type: 'meeting.started',
    });
    // Zoom does not document the tracking id's format: one outside the delivery-id alphabet is ignored,
    // never a 400 (it is not signed, and refusing it would refuse genuine deliveries).
    expect(accepted.message.meta).not.toHaveProperty('providerId');
    expect(accepted.message.meta.headers).toMatchObject({
      'x-zm-trackingid': 'tracking id; with spaces',
      'x-zm-request-timestamp': String(v0NowSeconds),
    });
    expect(accepted.message.meta.headers).not.toHaveProperty('x-zm-signature');
  });

  it('keeps a usable x-zm-trackingid as the provider id; a body without event is typed unknown', () => {
    const body = '{"payload":{}}';
    expect(identifyDelivery(source, { headers: { 'x-zm-trackingid': 'WEB_abc123' }, rawBody: body })).toEqual(
      {
        deliveryId: contentDeliveryId('zoom', body),
        eventType: 'unknown',
        providerId: 'WEB_abc123',
      },
    );
  });

  it('refuses a signed body that is not a JSON object (400, after the signature)', async () => {
    await expect(acceptWebhook(post('[1,2]'), deps)).rejects.toBeInstanceOf(InvalidJsonError);
  });
});

describe('zoom: endpoint.url_validation handshake', () => {
  const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
  const validation = (token: unknown = plainToken) =>
    JSON.stringify({
      payload: { plainToken: token },
      event_ts: 1654503849680,
      event: 'endpoint.url_validation',
    });
  const encrypted = (key: string, token: string) => createHmac('sha256', key).update(token).digest('hex');

  it('answers a signed validation 200 JSON {plainToken, encryptedToken = hex HMAC-SHA256(plainToken)}', async () => {
    await expect(acceptWebhook(post(validation()), deps)).resolves.toEqual({
      handshake: {
        statusCode: 200,
        contentType: 'application/json',
        body: JSON.stringify({ plainToken, encryptedToken: encrypted(secret, plainToken) }),
      },
    });
  });

  it('encrypts with the secret that signed the request, which Zoom holds: an older one during rotation', async () => {
    const accepted = await acceptWebhook(post(validation(), {}, older), deps);
    if (!('handshake' in accepted)) throw new Error('Expected a handshake answer');
    expect(JSON.parse(accepted.handshake.body)).toEqual({
      plainToken,
      encryptedToken: encrypted(older, plainToken),
    });
  });

  it('encrypts with the first (current) secret when not told which one verified the request', () => {
    const answer = zoom.answerHandshake!({
      method: 'POST',
      request: { headers: {}, rawBody: validation() },
      query: {},
      keys: [Buffer.from(secret), Buffer.from(older)],
      json: JSON.parse(validation()) as Record<string, unknown>,
    });
    expect(JSON.parse(answer!.body)).toEqual({ plainToken, encryptedToken: encrypted(secret, plainToken) });
  });

  it('refuses an unsigned or wrongly signed validation 401: nobody without the secret gets an HMAC under it', async () => {
    const unsigned = { ...post(validation()), headers: { 'content-type': 'application/json' } };
    await expect(acceptWebhook(unsigned, deps)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      acceptWebhook(post(validation(), {}, 'zoom attacker secret 012345'), deps),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it.each([
    ['no payload', JSON.stringify({ event: 'endpoint.url_validation' })],
    ['a numeric token', validation(42)],
    ['an empty token', validation('')],
    ['a token with a space', validation('a b')],
    ['a token of 257 characters', validation('a'.repeat(257))],
  ])('refuses a signed validation with %s as a 400', async (_name, body) => {
    await expect(acceptWebhook(post(body), deps)).rejects.toBeInstanceOf(BadRequestError);
  });

  it("completes the sender's handshake, whose check refuses a wrong token, a wrong HMAC, non-JSON and non-200", async () => {
    const request = senders.zoom.handshake!({
      secret,
      settings: {},
      nowSeconds: v0NowSeconds,
      challenge: plainToken,
    });
    const accepted = await acceptWebhook(
      {
        sourceParam: 'zoom',
        headers: request.headers,
        body: request.body!.toString('utf8'),
        isBase64Encoded: false,
      },
      deps,
    );
    if (!('handshake' in accepted)) throw new Error('Expected a handshake answer');
    expect(request.check(accepted.handshake.statusCode, accepted.handshake.body)).toBeUndefined();
    const right = zoomValidationAnswer(secret, plainToken);
    expect(request.check(200, JSON.stringify({ ...right, plainToken: 'other' }))).toMatch(/plainToken/);
    expect(
      request.check(200, JSON.stringify({ ...right, encryptedToken: encrypted(older, plainToken) })),
    ).toMatch(/encryptedToken/);
    expect(request.check(200, 'not json')).toMatch(/plainToken/);
    expect(request.check(200, 'null')).toMatch(/plainToken/);
    expect(request.check(500, accepted.handshake.body)).toMatch(/200/);
  });
});

describe('zoom sender', () => {
  it('sends a meeting event whose type is the event and whose meeting uuid is the id (distinct bodies)', () => {
    const body = senders.zoom.sampleBody('meeting.ended', 'quick-1', v0NowSeconds);
    const { headers } = senders.zoom.sign({
      secret,
      settings: {},
      body,
      id: 'quick-1',
      event: 'meeting.ended',
      nowSeconds: v0NowSeconds,
    });
    expect(identifyDelivery(source, { headers, rawBody: body }).eventType).toBe('meeting.ended');
    expect(JSON.parse(body.toString())).toMatchObject({ payload: { object: { uuid: 'quick-1' } } });
    expect(verifyWithSecrets('zoom', { headers, rawBody: body }, [secret], { nowMs: v0NowMs })).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });
});

describe('zoom through functions/webhook-receive.ts', () => {
  const post = realReceiveHandler({ WEBHOOK_SECRET_ZOOM: secret });
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('answers a signed endpoint.url_validation with the tokens as JSON and queues nothing', async () => {
    const body = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'tok_123' },
      event_ts: 1,
    });
    const { result, queued } = await post('zoom', signZoom(secret, body, nowSeconds()), body);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(result.body as string)).toEqual(zoomValidationAnswer(secret, 'tok_123'));
    expect(queued).toEqual([]);
  });

  it('refuses an unsigned endpoint.url_validation 401 and queues nothing', async () => {
    const body = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'tok_123' },
      event_ts: 1,
    });
    const { result, queued } = await post('zoom', {}, body);
    expect(result.statusCode).toBe(401);
    expect(result.body).not.toContain('encryptedToken');
    expect(queued).toEqual([]);
  });

  it('queues a delivery under its content id and event, answering 202 with that id', async () => {
    const { result, queued } = await post('zoom', signZoom(secret, sampleBody, nowSeconds()), sampleBody);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body as string)).toEqual({ id: contentDeliveryId('zoom', sampleBody) });
    expect(queued).toMatchObject([
      { source: 'zoom', id: contentDeliveryId('zoom', sampleBody), type: 'meeting.started' },
    ]);
  });
});
