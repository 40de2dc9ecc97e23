import { createHmac } from 'node:crypto';
import { Paddle } from '@paddle/paddle-node-sdk';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { paddle } from '../../../../src/webhooks/schemes/paddle';
import { senders, signPaddle } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import type { WebhookRequest } from '../../../../src/webhooks/signature';
import { webhookPostEvent } from '../../../helpers/webhook-fixtures';
import { wrappedReceiver } from './receive-handler';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';

const secret = 'pdl_ntfset_01h0000000000000000000000_unit';
const olderSecret = 'pdl_ntfset_01g0000000000000000000000_unit';
const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const nowSeconds = nowMs / 1000;
const body = JSON.stringify({
  event_id: 'evt_01h8bx1test0000000000000000',
  event_type: 'transaction.completed',
  occurred_at: '2026-06-01T10:00:00.000Z',
  notification_id: 'ntf_01h8bx1test0000000000000000',
  data: { id: 'txn_01h8bx1test0000000000000000', status: 'completed' },
});

function verify(
  request: Partial<WebhookRequest> & Pick<WebhookRequest, 'headers'>,
  secrets: readonly string[] = [secret],
  options: { nowMs?: number; toleranceSeconds?: number } = {},
) {
  return paddle.verify({
    request: { rawBody: body, ...request },
    keys: secrets.map((text) => Buffer.from(text)),
    nowMs: options.nowMs ?? nowMs,
    settings: {},
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
  });
}

const h1 = (key: string, timestamp: number | string, signed = body) =>
  createHmac('sha256', key).update(`${timestamp}:${signed}`).digest('hex');

describe('paddle scheme: Paddle-Signature ts=…;h1=… over "<ts>:<body>"', () => {
  // PaddleHQ/paddle-node-sdk src/__tests__/notifications/webhooks-validator.node.test.ts (system time
  // 2023-11-01T00:00:00Z). Its secret, VALID_SECRET, is shorter than a configured secret may be (16
  // bytes), so the vectors are checked on the verifier with the key given directly.
  const vectorNowMs = Date.UTC(2023, 10, 1, 0, 0, 0);
  const vectorKeys = [Buffer.from('VALID_SECRET')];
  const vector = (rawBody: string, header: string, at = vectorNowMs, toleranceSeconds?: number) =>
    paddle.verify({
      request: { headers: { 'paddle-signature': header }, rawBody },
      keys: vectorKeys,
      nowMs: at,
      settings: {},
      ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
    });
  const firstHeader = 'ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9';

  it('accepts the paddle-node-sdk test vectors, including a header with two h1 and an unknown h2', () => {
    expect(vector('{"data": ["1", "2"]}', firstHeader)).toEqual({ valid: true, secretIndex: 0 });
    const digest = '28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261';
    expect(vector('{"data": "value"}', `ts=1698796800;h1=${digest};h1=${digest};h2=RANDOM_HASH`)).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it('refuses the vector body with other whitespace, as paddle-node-sdk does', () => {
    expect(vector('{ "data": [ "1", "2" ]}', firstHeader)).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
  });

  it("takes the SDK's 5 s window when the receiver's tolerance is set to 5 (valid at 00:00:05, not at 00:00:06)", () => {
    expect(vector('{"data": ["1", "2"]}', firstHeader, vectorNowMs + 5000, 5).valid).toBe(true);
    expect(vector('{"data": ["1", "2"]}', firstHeader, vectorNowMs + 6000, 5)).toMatchObject({
      failure: 'stale',
    });
  });

  it('accepts a body signed by our sender and refuses a tampered body or another secret (401)', () => {
    const headers = signPaddle(secret, body, nowSeconds);
    expect(verify({ headers })).toEqual({ valid: true, secretIndex: 0 });
    expect(verify({ headers, rawBody: body.replace('completed', 'Completed') })).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
    expect(verify({ headers }, ['pdl_ntfset_someone_else_entirely'])).toMatchObject({ failure: 'mismatch' });
  });

  it('verifies a body held as bytes (API Gateway base64) like the same text', () => {
    const headers = signPaddle(secret, body, nowSeconds);
    expect(verify({ headers, rawBody: Buffer.from(body) }).valid).toBe(true);
  });

  it('says a missing or empty header is missing (401)', () => {
    expect(verify({ headers: {} })).toMatchObject({ valid: false, failure: 'missing' });
    expect(verify({ headers: { 'paddle-signature': '' } })).toMatchObject({ failure: 'missing' });
  });

  it.each([
    ['no ts', `h1=${h1(secret, nowSeconds)}`],
    ['no h1', `ts=${nowSeconds}`],
    ['a ts that is not unix seconds', `ts=1e9;h1=${h1(secret, nowSeconds)}`],
    ['an h1 that is not 64 hex digits', `ts=${nowSeconds};h1=${h1(secret, nowSeconds)}0`],
    [
      'an h1 in base64',
      `ts=${nowSeconds};h1=${Buffer.from(h1(secret, nowSeconds), 'hex').toString('base64')}`,
    ],
    ['entries without =', `ts;h1`],
    ['a Stripe-style header', `t=${nowSeconds},v1=${h1(secret, nowSeconds)}`],
  ])('says a header with %s is malformed (400)', (_case, header) => {
    expect(verify({ headers: { 'paddle-signature': header } })).toMatchObject({
      valid: false,
      failure: 'malformed',
    });
  });

  it('reads entries with spaces around them and skips an undecodable h1 beside a good one', () => {
    const header = ` ts = ${nowSeconds} ; h1=zz ;h1= ${h1(secret, nowSeconds)} ;`;
    expect(verify({ headers: { 'paddle-signature': header } })).toEqual({ valid: true, secretIndex: 0 });
  });

  it('refuses timestamps more than 300 s old or ahead by default, and accepts the edges', () => {
    const at = (seconds: number) => verify({ headers: signPaddle(secret, body, seconds) });
    expect(at(nowSeconds - 300).valid).toBe(true);
    expect(at(nowSeconds + 300).valid).toBe(true);
    expect(at(nowSeconds - 301)).toMatchObject({ failure: 'stale' });
    expect(at(nowSeconds + 301)).toMatchObject({ failure: 'stale' });
  });

  it('accepts, during a rotation, an h1 of the older secret (index 1), whichever position it has', () => {
    const current = h1(secret, nowSeconds);
    const older = h1(olderSecret, nowSeconds);
    const onlyOlder = { 'paddle-signature': `ts=${nowSeconds};h1=${older}` };
    expect(verify({ headers: onlyOlder }, [secret, olderSecret])).toEqual({ valid: true, secretIndex: 1 });
    // paddle-node-sdk reads only the last h1: it would refuse the first of these two headers.
    for (const header of [
      `ts=${nowSeconds};h1=${current};h1=${'0'.repeat(64)}`,
      `ts=${nowSeconds};h1=${older};h1=${current}`,
    ])
      expect(verify({ headers: { 'paddle-signature': header } }, [secret, olderSecret])).toEqual({
        valid: true,
        secretIndex: 0,
      });
  });

  it('takes the delivery id from the signed event_id and the type from event_type', () => {
    const json = JSON.parse(body) as Record<string, unknown>;
    expect(paddle.identify({ headers: {}, rawBody: body }, {}, json)).toEqual({
      signedId: 'evt_01h8bx1test0000000000000000',
      eventType: 'transaction.completed',
    });
    expect(paddle.identify({ headers: {}, rawBody: '{}' }, {}, { event_id: 'not a usable id!' })).toEqual({
      signedId: undefined,
      eventType: undefined,
    });
  });

  it('decodes a secret as its UTF-8 bytes and refuses one shorter than 16 bytes', () => {
    expect(paddle.decodeKey(secret)).toEqual({ key: Buffer.from(secret) });
    expect(paddle.decodeKey('VALID_SECRET')).toHaveProperty('problem');
  });

  it('a signed body always verifies, and any single changed byte never does (any secret)', () => {
    assertSignedBodiesVerifyAndChangedBytesDoNot({
      sign: (key, rawBody) => signPaddle(key, rawBody, nowSeconds),
      verify: (headers, rawBody, key) => verify({ headers, rawBody }, [key]),
      numRuns: 300,
    });
  });
});

describe('paddle against @paddle/paddle-node-sdk (the reference)', () => {
  // The SDK allows 5 s and reads the wall clock: our sender signs with the current time.
  const webhooks = new Paddle('unit_test_api_key').webhooks;

  it("accepts what our sender signs: isSignatureValid, and unmarshal gives the sample's id and type", async () => {
    const sender = senders.paddle;
    const now = Math.floor(Date.now() / 1000);
    const sample = sender.sampleBody(sender.defaultEvent, 'evt_01h8bx1sender000000000000', now);
    const { headers } = sender.sign({
      secret,
      settings: {},
      body: sample,
      id: 'evt_01h8bx1sender000000000000',
      event: sender.defaultEvent,
      nowSeconds: now,
    });
    const text = sample.toString('utf8');
    await expect(webhooks.isSignatureValid(text, secret, headers['paddle-signature']!)).resolves.toBe(true);
    const event = await webhooks.unmarshal(text, secret, headers['paddle-signature']!);
    expect([event.eventId, event.eventType]).toEqual(['evt_01h8bx1sender000000000000', 'customer.created']);
    expect(
      paddle.verify({
        request: { headers, rawBody: sample },
        keys: [Buffer.from(secret)],
        nowMs: now * 1000,
        settings: {},
      }),
    ).toEqual({ valid: true, secretIndex: 0 });
  });

  it('agrees with the SDK that another secret or a changed body does not verify', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signPaddle(secret, body, now)['paddle-signature']!;
    await expect(webhooks.isSignatureValid(body, olderSecret, header)).resolves.toBe(false);
    await expect(webhooks.isSignatureValid(`${body} `, secret, header)).resolves.toBe(false);
  });
  it('accepts a rotation header whose last h1 is not ours, where the SDK (last h1 only) refuses it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = `ts=${now};h1=${h1(secret, now)};h1=${h1(olderSecret, now)}`;
    await expect(webhooks.isSignatureValid(body, secret, header)).resolves.toBe(false);
    expect(verify({ headers: { 'paddle-signature': header } }, [secret], { nowMs: now * 1000 }).valid).toBe(
      true,
    );
  });
});

describe('paddle through acceptWebhook and the receiver', () => {
  const sources = loadWebhookSources({ WEBHOOK_SECRET_PADDLE: `${secret},${olderSecret}` });
  const deps = { sources, signingKeys: createSigningKeyResolver(), nowMs: () => nowMs, maxBodyBytes: 4096 };
  const post = (headers: Record<string, string>, rawBody = body): IncomingWebhook => ({
    sourceParam: 'paddle',
    headers: { 'content-type': 'application/json', ...headers },
    body: rawBody,
    isBase64Encoded: false,
  });

  it('builds a message with the event_id as delivery id and event_type as type, the older secret as index 1', async () => {
    const accepted = await acceptWebhook(post(signPaddle(olderSecret, body, nowSeconds)), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.secretIndex).toBe(1);
    expect(accepted.message.meta).toMatchObject({
      source: 'paddle',
      id: 'evt_01h8bx1test0000000000000000',
      type: 'transaction.completed',
    });
    expect(JSON.stringify(accepted.message.meta)).not.toContain('h1=');
  });

  it('refuses a signed body that is not a JSON object (400 after the signature)', async () => {
    await expect(
      acceptWebhook(post(signPaddle(secret, '[1]', nowSeconds), '[1]'), deps),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('answers the real handler 202 with the event id once the message is queued, and 401/400 without queueing', async () => {
    const { handle, queued } = wrappedReceiver(deps);
    const event = (headers: Record<string, string>): APIGatewayProxyEventV2 =>
      webhookPostEvent('paddle', { 'content-type': 'application/json', ...headers }, body, 'api-req');

    const accepted = await handle(event(signPaddle(secret, body, nowSeconds)));
    expect(accepted.statusCode).toBe(202);
    expect(JSON.parse(accepted.body!)).toEqual({ id: 'evt_01h8bx1test0000000000000000' });
    expect(queued()[0]).toMatchObject({
      id: 'evt_01h8bx1test0000000000000000',
      type: 'transaction.completed',
    });
    expect((await handle(event(signPaddle(secret, body, nowSeconds - 301)))).statusCode).toBe(401);
    expect((await handle(event({ 'paddle-signature': 'ts=1' }))).statusCode).toBe(400);
    expect(queued()).toHaveLength(1);
  });
});
