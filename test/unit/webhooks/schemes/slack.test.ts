import { isValidSlackRequest } from '@slack/bolt/dist/receivers/verify-request';
import fc from 'fast-check';
import { BadRequestError, UnauthorizedError } from '../../../../src/errors';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId, identifyDelivery } from '../../../../src/webhooks/delivery';
import { senders, signSlack } from '../../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { webhookPostEvent } from '../../../helpers/webhook-fixtures';
import { realReceiveHandler, wrappedReceiver } from './receive-handler';
import { describeV0Signature, v0NowMs, v0NowSeconds } from './v0-scheme-cases';
import { verifyWithSecrets } from './verify-with-secrets';

/** The real handler reads the wall clock. */
const nowSeconds = () => Math.floor(Date.now() / 1000);

const secret = 'slack signing secret for tests';
const sources = loadWebhookSources({ WEBHOOK_SECRET_SLACK: `${secret},slack older signing secret` });
const source = sources.get('slack')!;
const deps = {
  sources,
  signingKeys: createSigningKeyResolver(),
  nowMs: () => v0NowMs,
  maxBodyBytes: 64 * 1024,
};

const eventBody = (eventId = 'Ev08INTAKE01', type = 'app_mention') =>
  JSON.stringify({
    token: 'XXYYZZ',
    team_id: 'T0INTAKE1',
    api_app_id: 'A0INTAKE1',
    event: { type, user: 'U0INTAKE1', text: 'hello', channel: 'C0INTAKE1' },
    type: 'event_callback',
    event_id: eventId,
    event_time: v0NowSeconds,
  });

const post = (
  body: string,
  headers: Record<string, string> = {},
  seconds = v0NowSeconds,
): IncomingWebhook => ({
  sourceParam: 'slack',
  headers: { 'content-type': 'application/json', ...signSlack(secret, body, seconds), ...headers },
  body,
  isBase64Encoded: false,
});

async function acceptDelivery(incoming: IncomingWebhook) {
  const accepted = await acceptWebhook(incoming, deps);
  if (!('message' in accepted)) throw new Error('Expected a delivery, got a handshake answer');
  return accepted.message;
}

describeV0Signature({
  scheme: 'slack',
  signatureHeader: 'x-slack-signature',
  timestampHeader: 'x-slack-request-timestamp',
  sign: signSlack,
  body: eventBody(),
});

describe('slack: published vector and Bolt as an independent verifier', () => {
  // Slack's "Verifying requests from Slack" example (api.slack.com/authentication/verifying-requests-from-slack,
  // now docs.slack.dev), as recorded in /work/tools/provider-vectors.md §2: a slash command's form body.
  const documented = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    timestamp: 1531420618,
    body:
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&' +
      'channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&' +
      'response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&' +
      'trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };
  const documentedRequest = {
    headers: {
      'x-slack-signature': documented.signature,
      'x-slack-request-timestamp': String(documented.timestamp),
    },
    rawBody: documented.body,
  };

  it("accepts Slack's documented example at its own time", () => {
    expect(
      verifyWithSecrets('slack', documentedRequest, [documented.secret], {
        nowMs: documented.timestamp * 1000,
      }),
    ).toEqual({ valid: true, secretIndex: 0 });
  });

  it('signs exactly as Slack documents', () => {
    expect(signSlack(documented.secret, documented.body, documented.timestamp)).toEqual(
      documentedRequest.headers,
    );
  });

  it('types the documented slash command slash_command:/webhook-collect and deduplicates it by content', () => {
    expect(identifyDelivery(source, documentedRequest)).toEqual({
      deliveryId: contentDeliveryId('slack', documented.body),
      eventType: 'slash_command:/webhook-collect',
    });
  });

  // Bolt has no signer: the documented vector pins the construction, Bolt checks our sender's output.
  const boltAccepts = (signingSecret: string, body: string, headers: Record<string, string>, nowMs: number) =>
    isValidSlackRequest({
      signingSecret,
      body,
      headers: {
        'x-slack-signature': headers['x-slack-signature']!,
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
      nowMilliseconds: nowMs,
    });

  it("Bolt's verifySlackRequest accepts the documented example and what our sender signs", () => {
    expect(
      boltAccepts(documented.secret, documented.body, documentedRequest.headers, documented.timestamp * 1000),
    ).toBe(true);
    expect(boltAccepts(secret, eventBody(), signSlack(secret, eventBody(), v0NowSeconds), v0NowMs)).toBe(
      true,
    );
  });

  it('property: Bolt and our verifier agree on any body and secret, signed or changed by one byte', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 16, maxLength: 40 }),
        fc.nat(),
        fc.boolean(),
        (body, key, at, tamper) => {
          const headers = signSlack(key, body, v0NowSeconds);
          const index = at % body.length;
          const sent = tamper
            ? `${body.slice(0, index)}${body[index] === 'x' ? 'y' : 'x'}${body.slice(index + 1)}`
            : body;
          const ours = verifyWithSecrets('slack', { headers, rawBody: sent }, [key], {
            nowMs: v0NowMs,
          }).valid;
          expect(ours).toBe(!tamper);
          expect(boltAccepts(key, sent, headers, v0NowMs)).toBe(ours);
        },
      ),
    );
  });
});

describe('slack: delivery id and event type', () => {
  const identify = (rawBody: string) => identifyDelivery(source, { headers: {}, rawBody });

  it("takes an Events API delivery's signed event_id as its id and the inner event.type as its type", () => {
    expect(identify(eventBody('Ev08INTAKE01', 'reaction_added'))).toEqual({
      deliveryId: 'Ev08INTAKE01',
      eventType: 'reaction_added',
    });
  });

  it('falls back to the outer type when there is no inner event, and to the content id without a usable event_id', () => {
    const body = JSON.stringify({ type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1 });
    expect(identify(body)).toEqual({
      deliveryId: contentDeliveryId('slack', body),
      eventType: 'app_rate_limited',
    });
    const odd = JSON.stringify({
      type: 'event_callback',
      event_id: 'not usable!',
      event: { type: 'message' },
    });
    expect(identify(odd)).toEqual({ deliveryId: contentDeliveryId('slack', odd), eventType: 'message' });
  });

  it("types an interactivity form by its payload's type", () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', trigger_id: '1.2.3' }))}`;
    expect(identify(body)).toEqual({
      deliveryId: contentDeliveryId('slack', body),
      eventType: 'block_actions',
    });
  });

  it.each([
    ['a form with neither command nor payload', 'ssl_check=1&token=x'],
    ['an interactivity payload that is not JSON', 'payload=%7Bnot-json'],
    ['a JSON-looking body that does not parse', '{"type":'],
  ])('types %s unknown, deduplicated by content', (_name, body) => {
    expect(identify(body)).toEqual({ deliveryId: contentDeliveryId('slack', body), eventType: 'unknown' });
  });

  it('reads a base64-delivered body (a Buffer) the same way', () => {
    expect(identifyDelivery(source, { headers: {}, rawBody: Buffer.from(eventBody()) })).toEqual({
      deliveryId: 'Ev08INTAKE01',
      eventType: 'app_mention',
    });
  });

  it('deduplicates a retry: re-signed later with X-Slack-Retry-Num, it is the same delivery, retry headers kept', async () => {
    const first = await acceptDelivery(post(eventBody()));
    const retry = await acceptDelivery(
      post(
        eventBody(),
        { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        v0NowSeconds + 60,
      ),
    );
    expect(retry.meta.id).toBe(first.meta.id);
    expect(retry.meta).toMatchObject({ id: 'Ev08INTAKE01', type: 'app_mention' });
    expect(retry.meta.headers).toMatchObject({
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
      'x-slack-request-timestamp': String(v0NowSeconds + 60),
    });
    expect(retry.meta.headers).not.toHaveProperty('x-slack-signature');
  });

  it('answers a retry 202 with the same delivery id, queueing it for the worker to drop', async () => {
    const { handle, queued } = wrappedReceiver(deps);
    const answer = async (seconds: number, headers: Record<string, string>) => {
      const body = eventBody();
      return handle(
        webhookPostEvent('slack', { ...signSlack(secret, body, seconds), ...headers }, body, 'r'),
      );
    };
    const first = await answer(v0NowSeconds, {});
    const retry = await answer(v0NowSeconds + 5, {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect([first.statusCode, retry.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(retry.body!)).toEqual(JSON.parse(first.body!));
    expect(JSON.parse(retry.body!)).toEqual({ id: 'Ev08INTAKE01' });
    expect(queued().map((meta) => meta.id)).toEqual(['Ev08INTAKE01', 'Ev08INTAKE01']);
  });
});

describe('slack: url_verification handshake', () => {
  const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
  const verification = (value: unknown = challenge) =>
    JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: value, type: 'url_verification' });

  it('answers a signed url_verification 200 with the challenge as text/plain, as Slack documents', async () => {
    await expect(acceptWebhook(post(verification()), deps)).resolves.toEqual({
      handshake: { statusCode: 200, contentType: 'text/plain', body: challenge },
    });
  });

  it('refuses an unsigned or wrongly signed url_verification 401, never echoing the challenge', async () => {
    const unsigned = { ...post(verification()), headers: { 'content-type': 'application/json' } };
    await expect(acceptWebhook(unsigned, deps)).rejects.toBeInstanceOf(UnauthorizedError);
    const forged = { ...post(verification()), body: verification('attacker-chosen') };
    await expect(acceptWebhook(forged, deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it.each([
    ['no challenge', JSON.stringify({ type: 'url_verification' })],
    ['a number', verification(42)],
    ['an empty one', verification('')],
    ['one with a space', verification('a b')],
    ['one of 513 characters', verification('a'.repeat(513))],
  ])('refuses a signed url_verification with %s as a 400', async (_name, body) => {
    await expect(acceptWebhook(post(body), deps)).rejects.toBeInstanceOf(BadRequestError);
  });

  it("completes the sender's handshake, whose check takes Slack's three answer forms and nothing else", async () => {
    const request = senders.slack.handshake!({ secret, settings: {}, nowSeconds: v0NowSeconds, challenge });
    const accepted = await acceptWebhook(
      {
        sourceParam: 'slack',
        headers: request.headers,
        body: request.body!.toString('utf8'),
        isBase64Encoded: false,
        method: request.method,
      },
      deps,
    );
    if (!('handshake' in accepted)) throw new Error('Expected a handshake answer');
    expect(request.check(accepted.handshake.statusCode, accepted.handshake.body)).toBeUndefined();
    expect(request.check(200, `challenge=${challenge}`)).toBeUndefined();
    expect(request.check(200, JSON.stringify({ challenge }))).toBeUndefined();
    expect(request.check(200, 'wrong')).toMatch(/challenge/);
    expect(request.check(200, '{"challenge":"wrong"}')).toMatch(/challenge/);
    expect(request.check(200, 'null')).toMatch(/challenge/);
    expect(request.check(401, challenge)).toMatch(/200/);
  });
});

describe('slack sender', () => {
  it('sends an Events API envelope whose event_id is the delivery id and whose event.type is the event', () => {
    const body = senders.slack.sampleBody('app_mention', 'Ev0QUICK', v0NowSeconds);
    const headers = senders.slack.sign({
      secret,
      settings: {},
      body,
      id: 'Ev0QUICK',
      event: 'app_mention',
      nowSeconds: v0NowSeconds,
    }).headers;
    expect(identifyDelivery(source, { headers, rawBody: body })).toEqual({
      deliveryId: 'Ev0QUICK',
      eventType: 'app_mention',
    });
    expect(verifyWithSecrets('slack', { headers, rawBody: body }, [secret], { nowMs: v0NowMs })).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });
});

describe('slack through functions/webhook-receive.ts', () => {
  const post = realReceiveHandler({ WEBHOOK_SECRET_SLACK: secret });

  it('answers a signed url_verification with the challenge and queues nothing', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'challenge-123', type: 'url_verification' });
    const { result, queued } = await post('slack', signSlack(secret, body, nowSeconds()), body);
    expect(result).toMatchObject({ statusCode: 200, body: 'challenge-123' });
    expect(result.headers?.['content-type']).toBe('text/plain');
    expect(queued).toEqual([]);
  });

  it('queues an Events API delivery under its event_id and inner type, answering 202 with that id', async () => {
    const body = eventBody('Ev0HANDLER1', 'message');
    const { result, queued } = await post('slack', signSlack(secret, body, nowSeconds()), body);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body as string)).toEqual({ id: 'Ev0HANDLER1' });
    expect(queued).toMatchObject([{ source: 'slack', id: 'Ev0HANDLER1', type: 'message' }]);
  });
});
