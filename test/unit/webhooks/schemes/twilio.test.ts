import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { acceptWebhook, type IncomingWebhook } from '../../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../../src/webhooks/delivery';
import { maxFormParameters, twilio, withOtherPort } from '../../../../src/webhooks/schemes/twilio';
import { senders, signTwilioForm, signTwilioJson } from '../../../../src/webhooks/senders';
import type { WebhookRequest } from '../../../../src/webhooks/signature';
import { createSigningKeyResolver, createSourceSettingResolver } from '../../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../../src/webhooks/sources';
import { webhookPostEvent } from '../../../helpers/webhook-fixtures';
import { wrappedReceiver } from './receive-handler';
import { assertSignedBodiesVerifyAndChangedBytesDoNot } from './signature-properties';

// The reference: twilio-node's own validator and signer, loaded alone (it needs only crypto, url, querystring).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS deep import with no types of its own
const reference = require('twilio/lib/webhooks/webhooks') as {
  validateRequest(token: string, signature: string, url: string, params: Record<string, unknown>): boolean;
  validateRequestWithBody(token: string, signature: string, url: string, body: string): boolean;
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, unknown>): string;
};

const token = '0123456789abcdef0123456789abcdef';
const olderToken = 'fedcba9876543210fedcba9876543210';
const publicUrl = 'https://hooks.example.com/webhooks/twilio';
const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const statusCallback = {
  AccountSid: 'AC00000000000000000000000000000000',
  ApiVersion: '2010-04-01',
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  MessageStatus: 'delivered',
  SmsSid: 'SM0123456789abcdef0123456789abcdef',
  SmsStatus: 'delivered',
  From: '+15005550006',
  To: '+15005550001',
};
const form = new URLSearchParams(statusCallback).toString();

function verify(
  request: Partial<WebhookRequest> & Pick<WebhookRequest, 'headers'>,
  tokens: readonly string[] = [token],
  url = publicUrl,
) {
  return twilio.verify({
    request: { rawBody: form, ...request },
    keys: tokens.map((text) => Buffer.from(text)),
    nowMs,
    settings: {},
    publicUrl: url,
  });
}

const signature = (headers: Record<string, string>) => headers['x-twilio-signature']!;

describe('twilio scheme: X-Twilio-Signature, HMAC-SHA1 of the public URL and the sorted form parameters', () => {
  // twilio/twilio-node spec/validation.spec.js (the same token, URL and parameters as Twilio's docs example).
  const vectorKeys = [Buffer.from('12345')];
  const vectorParams = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  const vector = (url: string, query: string, header: string, rawBody: string) =>
    twilio.verify({
      request: { headers: { 'x-twilio-signature': header }, rawBody, rawQueryString: query },
      keys: vectorKeys,
      nowMs,
      settings: {},
      publicUrl: url,
    });
  const vectorForm = new URLSearchParams(vectorParams).toString();

  it('accepts the twilio-node form vectors: https (also configured with a port, which is stripped) and http with its port', () => {
    const signed = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(vector('https://mycompany.com/myapp.php', 'foo=1&bar=2', signed, vectorForm).valid).toBe(true);
    expect(vector('https://mycompany.com:1234/myapp.php', 'foo=1&bar=2', signed, vectorForm).valid).toBe(
      true,
    );
    const http = 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=';
    expect(vector('http://mycompany.com:1234/myapp.php', 'foo=1&bar=2', http, vectorForm).valid).toBe(true);
    expect(
      vector('https://mycompany.com/myapp.php', 'foo=1&bar=2', signed, `${vectorForm}&Digits=9`),
    ).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('accepts the twilio-node JSON vectors (bodySHA256 in the query), the {} one only through the added :443', () => {
    const json = '{"property": "value", "boolean": true}';
    const hash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    const url = 'https://mycompany.com/myapp.php';
    expect(vector(url, `foo=1&bar=2&bodySHA256=${hash}`, 'a9nBmqA0ju/hNViExpshrM61xv4=', json).valid).toBe(
      true,
    );
    expect(vector(url, `bodySHA256=${hash}`, 'y77kIzt2vzLz71DgmJGsen2scGs=', json).valid).toBe(true);
    const empty = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
    expect(vector(url, `foo=1&bar=2&bodySHA256=${empty}`, 'Ldidvp12m26NI7eqEvxnEpkd9Hc=', '{}').valid).toBe(
      true,
    );
    expect(vector(url, `bodySHA256=${hash}`, 'y77kIzt2vzLz71DgmJGsen2scGs=', `${json} `)).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('accepts what twilio-node signs: form parameters with a query, repeated parameters, a URL with :443', () => {
    const params = { ...statusCallback, Tag: ['b', 'a', 'b'], Body: 'Héllo + wörld & more' };
    const body =
      'Tag=b&Tag=a&Tag=b&' + new URLSearchParams({ ...statusCallback, Body: params.Body }).toString();
    for (const [url, query] of [
      [publicUrl, ''],
      [publicUrl, 'region=ie1&tenant=acme'],
      ['https://hooks.example.com:443/webhooks/twilio', ''],
    ] as const) {
      const signed = reference.getExpectedTwilioSignature(
        token,
        query === '' ? url : `${url}?${query}`,
        params,
      );
      expect(
        verify({ headers: { 'x-twilio-signature': signed }, rawBody: body, rawQueryString: query }),
      ).toEqual({
        valid: true,
        secretIndex: 0,
      });
      // The same URL configured the other way round (with the port, or without it) verifies too.
      expect(
        verify(
          { headers: { 'x-twilio-signature': signed }, rawBody: body, rawQueryString: query },
          [token],
          withOtherPort(url),
        ).valid,
      ).toBe(true);
    }
  });

  it('signs what twilio-node accepts: validateRequest for a form post, validateRequestWithBody for JSON', () => {
    const headers = signTwilioForm(token, `${publicUrl}?region=ie1`, form);
    expect(
      reference.validateRequest(token, signature(headers), `${publicUrl}?region=ie1`, statusCallback),
    ).toBe(true);
    const json = '{"specversion":"1.0","type":"com.twilio.messaging.message.delivered","id":"EZ1"}';
    const signed = signTwilioJson(token, publicUrl, json, 'region=ie1');
    expect(signed.query).toMatch(/^region=ie1&bodySHA256=[0-9a-f]{64}$/);
    expect(
      reference.validateRequestWithBody(
        token,
        signature(signed.headers),
        `${publicUrl}?${signed.query}`,
        json,
      ),
    ).toBe(true);
    expect(verify({ headers: signed.headers, rawBody: json, rawQueryString: signed.query! }).valid).toBe(
      true,
    );
  });

  it('refuses a changed parameter, a parameter added or another token (401)', () => {
    const headers = signTwilioForm(token, publicUrl, form);
    expect(verify({ headers })).toEqual({ valid: true, secretIndex: 0 });
    expect(verify({ headers, rawBody: form.replace('delivered', 'failed') })).toMatchObject({
      failure: 'mismatch',
    });
    expect(verify({ headers, rawBody: `${form}&ErrorCode=30003` })).toMatchObject({ failure: 'mismatch' });
    expect(verify({ headers, rawQueryString: 'x=1' })).toMatchObject({ failure: 'mismatch' });
    expect(verify({ headers }, [olderToken])).toMatchObject({ failure: 'mismatch' });
    expect(verify({ headers }, [token], 'https://other.example.com/webhooks/twilio')).toMatchObject({
      failure: 'mismatch',
    });
  });

  it('refuses a JSON body whose SHA-256 is not the signed bodySHA256 (401), and a bodySHA256 that is not hex (400)', () => {
    const json = '{"type":"com.twilio.messaging.message.delivered"}';
    const signed = signTwilioJson(token, publicUrl, json);
    expect(
      verify({
        headers: signed.headers,
        rawBody: json.replace('delivered', 'failed'),
        rawQueryString: signed.query!,
      }),
    ).toMatchObject({
      failure: 'mismatch',
    });
    const query = `bodySHA256=${'z'.repeat(64)}`;
    const headers = signTwilioForm(token, `${publicUrl}?${query}`, '');
    expect(verify({ headers, rawBody: json, rawQueryString: query })).toMatchObject({ failure: 'malformed' });
  });

  it('accepts, during a rotation, a signature of the older token (index 1)', () => {
    const headers = signTwilioForm(olderToken, publicUrl, form);
    expect(verify({ headers }, [token, olderToken])).toEqual({ valid: true, secretIndex: 1 });
  });

  it('says a missing or empty header is missing (401)', () => {
    expect(verify({ headers: {} })).toMatchObject({ failure: 'missing' });
    expect(verify({ headers: { 'x-twilio-signature': '' } })).toMatchObject({ failure: 'missing' });
  });

  it.each([
    ['a signature that is not base64', '!!!!!!!!!!!!!!!!!!!!!!!!!!!='],
    ['a signature of the wrong length', 'RSOYDt4T1cUTdK1PDd93/VVr8B8'],
    ['a signature with a character outside ASCII', 'RSOYDt4T1cUTdK1PDd93/VVr8Bé='],
    ['a signature with a bad character at its end', 'RSOYDt4T1cUTdK1PDd93/VVr8B*='],
    ['a signature without its padding', 'RSOYDt4T1cUTdK1PDd93/VVr8B8A'],
    ['a signature whose unused bits are set (not canonical base64)', 'RSOYDt4T1cUTdK1PDd93/VVr8B9='],
    ['an HMAC-SHA256 signature (SharedKey webhooks)', Buffer.alloc(32, 7).toString('base64')],
    ['a hex signature', 'a'.repeat(40)],
  ])('says a header with %s is malformed (400)', (_case, header) => {
    expect(verify({ headers: { 'x-twilio-signature': header } })).toMatchObject({ failure: 'malformed' });
  });

  it(`refuses a form of more than ${maxFormParameters} parameters before parsing it (400)`, () => {
    const many = Array.from({ length: maxFormParameters + 1 }, (_, index) => `p${index}=1`).join('&');
    expect(verify({ headers: signTwilioForm(token, publicUrl, form), rawBody: many })).toMatchObject({
      failure: 'malformed',
    });
    expect(() => signTwilioForm(token, publicUrl, many)).toThrow(/too many parameters/);
    expect(twilio.identify({ headers: {}, rawBody: many }, {})).toMatchObject({ signedId: undefined });
  });

  it('cannot verify without the public URL of the source (a configuration error, not a request error)', () => {
    expect(() =>
      twilio.verify({
        request: { headers: {}, rawBody: form },
        keys: [Buffer.from(token)],
        nowMs,
        settings: {},
      }),
    ).toThrow(/public URL/);
  });

  it.each([
    ['https://h.example.com/x', 'https://h.example.com:443/x'],
    ['http://h.example.com/x', 'http://h.example.com:80/x'],
    ['https://h.example.com:8443/x', 'https://h.example.com/x'],
    ['https://h.example.com', 'https://h.example.com:443'],
    ['https://[2001:db8::1]/x', 'https://[2001:db8::1]:443/x'],
    ['https://[2001:db8::1]:8443/x', 'https://[2001:db8::1]/x'],
    ['HTTPS://h.example.com/a:b', 'HTTPS://h.example.com:443/a:b'],
  ])('tries %s also as %s', (url, other) => {
    expect(withOtherPort(url)).toBe(other);
  });

  it('a signed JSON body always verifies, and any single changed byte never does (any token)', () => {
    assertSignedBodiesVerifyAndChangedBytesDoNot({
      sign: (key, rawBody) => signTwilioJson(key, publicUrl, rawBody),
      verify: (signed, rawBody, key) =>
        verify({ headers: signed.headers, rawBody, rawQueryString: signed.query! }, [key]),
      secrets: fc.string({ minLength: 16, maxLength: 40 }),
      numRuns: 300,
    });
  });

  it('signed form parameters always verify, and any changed value never does (any token)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 16, maxLength: 40 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40 }), {
          minKeys: 1,
        }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 4 }),
        (key, params, at, extra) => {
          const rawBody = new URLSearchParams(params).toString();
          const headers = signTwilioForm(key, publicUrl, rawBody);
          expect(verify({ headers, rawBody }, [key]).valid).toBe(true);
          const names = Object.keys(params);
          const changed = {
            ...params,
            [names[at % names.length]!]: params[names[at % names.length]!] + extra,
          };
          expect(verify({ headers, rawBody: new URLSearchParams(changed).toString() }, [key])).toMatchObject({
            failure: 'mismatch',
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('twilio delivery id and type', () => {
  const identify = (request: Partial<WebhookRequest>) =>
    twilio.identify({ headers: {}, rawBody: form, ...request }, {});

  it('gives a form post the hash of what was signed: the same parameters reordered or encoded otherwise are one delivery', () => {
    const reordered = new URLSearchParams(Object.entries(statusCallback).reverse()).toString();
    const reencoded = form.replace(/%2B/g, '%2b');
    const ids = [form, reordered, reencoded].map((rawBody) => identify({ rawBody }).signedId);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(identify({ rawQueryString: 'x=1' }).signedId).not.toBe(ids[0]);
    expect(identify({ rawBody: form.replace('delivered', 'failed') }).signedId).not.toBe(ids[0]);
  });

  it.each([
    ['a message status callback', form, 'message.delivered'],
    ['an incoming message (SmsStatus only)', 'SmsSid=SM1&SmsStatus=received&Body=hi', 'message.received'],
    ['a voice callback', 'CallSid=CA1&CallStatus=completed', 'call.completed'],
    ['an EventType callback', 'EventType=task.created&CallStatus=ringing', 'task.created'],
    ['a form naming none', 'Foo=bar&CallStatus=', undefined],
  ])('types %s from its parameters', (_case, rawBody, type) => {
    expect(identify({ rawBody }).eventType).toBe(type);
  });

  it('gives a JSON body (bodySHA256) no signed id, so its content id; its type is the body type', () => {
    const json = '{"type":"com.twilio.messaging.message.delivered","data":{}}';
    expect(identify({ rawBody: json, rawQueryString: 'bodySHA256=00' })).toEqual({
      signedId: undefined,
      providerId: undefined,
      eventType: 'com.twilio.messaging.message.delivered',
    });
  });

  it('keeps I-Twilio-Idempotency-Token for tracing only, ignoring one that is not a usable id', () => {
    expect(identify({ headers: { 'i-twilio-idempotency-token': 'idem-0a1b:2c3d' } }).providerId).toBe(
      'idem-0a1b:2c3d',
    );
    expect(identify({ headers: { 'i-twilio-idempotency-token': 'not usable!' } }).providerId).toBeUndefined();
    expect(twilio.keptHeaders).toEqual(['i-twilio-idempotency-token']);
  });

  it('decodes an Auth Token as its UTF-8 bytes and refuses one shorter than 16 bytes', () => {
    expect(twilio.decodeKey(token)).toEqual({ key: Buffer.from(token) });
    expect(twilio.decodeKey('12345')).toHaveProperty('problem');
  });
});

describe('twilio sender', () => {
  const sender = senders.twilio;
  const send = (event: string, body?: Buffer) => {
    const sample = body ?? sender.sampleBody(event, 'idem-1', nowMs / 1000);
    return {
      sample,
      ...sender.sign({
        secret: token,
        settings: {},
        body: sample,
        id: 'idem-1',
        event,
        nowSeconds: nowMs / 1000,
        publicUrl,
      }),
    };
  };

  it.each([
    ['message.delivered', 'message.delivered'],
    ['call.completed', 'call.completed'],
    ['task.created', 'task.created'],
    ['workflow', 'workflow'],
  ])('sends a %s sample that twilio-node accepts and that is typed %s', (event, type) => {
    const { sample, headers, query } = send(event);
    expect(query).toBeUndefined();
    const params = Object.fromEntries(new URLSearchParams(sample.toString()));
    expect(reference.validateRequest(token, signature(headers), publicUrl, params)).toBe(true);
    expect(twilio.identify({ headers, rawBody: sample }, {}).eventType).toBe(type);
    expect(headers['i-twilio-idempotency-token']).toBe('idem-1');
  });

  it('signs a JSON body through bodySHA256 in the query', () => {
    const json = Buffer.from(' {"type":"com.twilio.x"}');
    const { headers, query } = send('ignored', json);
    expect(
      reference.validateRequestWithBody(token, signature(headers), `${publicUrl}?${query}`, json.toString()),
    ).toBe(true);
  });

  it('needs the public URL', () => {
    expect(() =>
      sender.sign({
        secret: token,
        settings: {},
        body: Buffer.from(form),
        id: 'i',
        event: 'e',
        nowSeconds: 0,
      }),
    ).toThrow(/WEBHOOK_PUBLIC_URL/);
  });
});

describe('twilio through acceptWebhook and the receiver', () => {
  const sources = loadWebhookSources({
    WEBHOOK_SECRET_TWILIO: `${token},${olderToken}`,
    WEBHOOK_PUBLIC_URL_TWILIO: publicUrl,
  });
  const deps = {
    sources,
    signingKeys: createSigningKeyResolver(),
    sourceSetting: createSourceSettingResolver(),
    nowMs: () => nowMs,
    maxBodyBytes: 4096,
  };
  const post = (headers: Record<string, string>, body: string, rawQueryString = ''): IncomingWebhook => ({
    sourceParam: 'twilio',
    headers,
    body,
    isBase64Encoded: false,
    rawQueryString,
  });

  it('needs WEBHOOK_PUBLIC_URL_<SOURCE>', () => {
    expect(() => loadWebhookSources({ WEBHOOK_SECRET_TWILIO: token })).toThrow(/WEBHOOK_PUBLIC_URL_TWILIO/);
  });

  it('queues a form post under the hash of its signed parameters, typed by its status, the token as provider id', async () => {
    const headers = {
      ...signTwilioForm(olderToken, `${publicUrl}?region=ie1`, form),
      'i-twilio-idempotency-token': 'idem-7',
    };
    const accepted = await acceptWebhook(post(headers, form, 'region=ie1'), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.secretIndex).toBe(1);
    expect(accepted.message.meta).toMatchObject({
      source: 'twilio',
      id: twilio.identify({ headers, rawBody: form, rawQueryString: 'region=ie1' }, {}).signedId,
      type: 'message.delivered',
      headers: { 'i-twilio-idempotency-token': 'idem-7' },
    });
    expect(accepted.message.body).toBe(form);
    expect(JSON.stringify(accepted.message.meta)).not.toContain(signature(headers));
  });

  it('queues a JSON post under its content id, typed by its body', async () => {
    const json = '{"type":"com.twilio.messaging.message.delivered","id":"EZ1"}';
    const signed = signTwilioJson(token, publicUrl, json);
    const accepted = await acceptWebhook(post(signed.headers, json, signed.query), deps);
    if (!('message' in accepted)) throw new Error('expected a delivery');
    expect(accepted.message.meta).toMatchObject({
      id: contentDeliveryId('twilio', json),
      type: 'com.twilio.messaging.message.delivered',
    });
  });

  it('answers the real handler 202 once queued, 401 for a copy sent to another URL, 400 for a bad header', async () => {
    const { handle, queued } = wrappedReceiver(deps);
    const event = (headers: Record<string, string>, rawQueryString = ''): APIGatewayProxyEventV2 => ({
      ...webhookPostEvent(
        'twilio',
        { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        form,
        'api-req',
      ),
      rawQueryString,
    });
    const headers = signTwilioForm(token, `${publicUrl}?a=1`, form);

    const accepted = await handle(event(headers, 'a=1'));
    expect(accepted.statusCode).toBe(202);
    const { id } = JSON.parse(accepted.body!) as { id: string };
    expect(id).toBe(
      createHash('sha256')
        .update(`?a=1`)
        .update(
          Object.keys(statusCallback)
            .sort()
            .map((name) => name + statusCallback[name as keyof typeof statusCallback])
            .join(''),
        )
        .digest('hex'),
    );
    expect(queued()[0]).toMatchObject({
      id,
      type: 'message.delivered',
    });
    expect((await handle(event(headers, 'a=2'))).statusCode).toBe(401);
    expect((await handle(event({ 'x-twilio-signature': 'nope' }, 'a=1'))).statusCode).toBe(400);
    expect(queued()).toHaveLength(1);
  });
});
