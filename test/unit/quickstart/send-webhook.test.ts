import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  baseUrl,
  buildSignedWebhook,
  buildSourceHandshake,
  describeFailure,
  localStackEnvironment,
  parseSendWebhookArgs,
  requestUrl,
  runHandshake,
  sendRequest,
} from '../../../scripts/send-webhook';
import { loadLocalSources } from '../../../scripts/lib/webhook-requests';
import { acceptWebhook } from '../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../src/webhooks/delivery';
import { createSigningKeyResolver, createSourceSettingResolver } from '../../../src/webhooks/signing-keys';
import { exampleEnvironment } from '../../helpers/webhook-fixtures';
import { signingKeyFromSecret, verifySignature, type SchemeName } from '../../../src/webhooks/signature';

const env = {
  WEBHOOK_SECRET_GITHUB: 'github-secret-new,github-secret-old',
  WEBHOOK_SECRET_STRIPE: 'whsec_stripe-test-secret',
  WEBHOOK_SECRET_STANDARD: `whsec_${Buffer.from('standard webhooks key').toString('base64')}`,
  WEBHOOK_SCHEME_ACME: 'hmac-sha256',
  WEBHOOK_SECRET_ACME: 'acme-test-secret',
  WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
  WEBHOOK_SIGNATURE_ENCODING_ACME: 'base64',
  WEBHOOK_SIGNATURE_PREFIX_ACME: 'sha256=',
  WEBHOOK_ID_HEADER_ACME: 'x-acme-delivery',
  WEBHOOK_EVENT_HEADER_ACME: 'x-acme-event',
};
const now = 1_795_269_600;

/** Verifies a built request with the receiver's own verifier and the given secret. */
function verify(scheme: SchemeName, secret: string, request: ReturnType<typeof buildSignedWebhook>) {
  return verifySignature(
    scheme,
    {
      request: { headers: request.headers, rawBody: request.body },
      keys: [signingKeyFromSecret(scheme, secret)],
      nowMs: now * 1000,
    },
    { header: 'x-acme-signature', encoding: 'base64', prefix: 'sha256=' },
  );
}

describe('webhook:send argument parsing', () => {
  it('reads source, event, body, id, url, wait and timeout', () => {
    expect(
      parseSendWebhookArgs([
        '--source',
        'GitHub',
        '--event',
        'ping',
        '--body',
        '{"a":1}',
        '--id',
        'd-1',
        '--url',
        'http://127.0.0.1:4000/',
        '--wait',
        '--timeout',
        '5',
      ]),
    ).toEqual({
      source: 'github',
      event: 'ping',
      body: Buffer.from('{"a":1}'),
      id: 'd-1',
      url: 'http://127.0.0.1:4000',
      wait: true,
      handshake: false,
      timeoutSeconds: 5,
    });
    expect(parseSendWebhookArgs(['--source', 'meta', '--handshake'])).toEqual({
      source: 'meta',
      wait: false,
      handshake: true,
      timeoutSeconds: 30,
    });
  });

  it('reads the body of --file byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'send-webhook-'));
    try {
      const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0x0a]);
      writeFileSync(join(dir, 'payload.json'), bytes);
      expect(parseSendWebhookArgs(['--source', 'stripe', '--file', join(dir, 'payload.json')]).body).toEqual(
        bytes,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [[], /--source <name> is required/],
    [['--source', 'not a name'], /--source <name> is required/],
    [['--source', 'github', '--file', 'a', '--body', 'b'], /alternatives/],
    [['--source', 'github', '--timeout', '0'], /--timeout/],
    [['--source', 'github', '--secret', 'x'], /Unknown option/],
    [['--source', 'meta', '--handshake', '--body', '{}'], /--handshake sends the scheme's handshake/],
  ])('refuses %j', (args, message) => {
    expect(() => parseSendWebhookArgs(args)).toThrow(message);
  });
});

describe('webhook:send request building', () => {
  it('signs a GitHub delivery with the current (first) secret, verified by the receiver', () => {
    const request = buildSignedWebhook({ source: 'github', event: 'ping', id: 'delivery-1' }, env, now);
    expect(request).toMatchObject({
      path: '/webhooks/github',
      scheme: 'github',
      deliveryId: contentDeliveryId('github', request.body),
      providerId: 'delivery-1',
    });
    expect(request.headers).toMatchObject({ 'x-github-event': 'ping', 'x-github-delivery': 'delivery-1' });
    expect(verify('github', 'github-secret-new', request)).toEqual({ valid: true, secretIndex: 0 });
    expect(verify('github', 'github-secret-old', request)).toMatchObject({
      valid: false,
      failure: 'mismatch',
    });
  });

  it('gives GitHub sample deliveries with different ids different bodies, so they are not deduplicated', () => {
    const first = buildSignedWebhook({ source: 'github', id: 'delivery-1' }, env, now);
    const second = buildSignedWebhook({ source: 'github', id: 'delivery-2' }, env, now);
    expect(second.deliveryId).not.toBe(first.deliveryId);
    expect(buildSignedWebhook({ source: 'github', id: 'delivery-1' }, env, now).deliveryId).toBe(
      first.deliveryId,
    );
  });

  it('signs a Stripe sample event whose id and type are the delivery id and the event', () => {
    const request = buildSignedWebhook({ source: 'stripe', event: 'invoice.paid' }, env, now);
    const body = JSON.parse(request.body.toString('utf8')) as { id: string; type: string };
    expect(body.type).toBe('invoice.paid');
    expect(body.id).toMatch(/^evt_[0-9a-f-]{36}$/);
    expect(request.deliveryId).toBe(body.id);
    expect(verify('stripe', 'whsec_stripe-test-secret', request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it("takes the delivery id of a Stripe body given by the caller from the receiver's own reading of it", () => {
    const body = Buffer.from('{"id":"evt_1","type":"a.b"}');
    const request = buildSignedWebhook({ source: 'stripe', body }, env, now);
    expect(request.body).toBe(body);
    expect(request.deliveryId).toBe('evt_1');
    expect(verify('stripe', 'whsec_stripe-test-secret', request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('signs a Standard Webhooks delivery with the decoded whsec_ key and a msg_ id', () => {
    const request = buildSignedWebhook({ source: 'standard' }, env, now);
    expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(request.headers['webhook-timestamp']).toBe(String(now));
    expect(verify('standard', env.WEBHOOK_SECRET_STANDARD, request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('signs an hmac-sha256 source with its configured header, encoding, prefix, id and event headers', () => {
    const request = buildSignedWebhook({ source: 'acme', event: 'orders.created', id: 'order-1' }, env, now);
    expect(request.headers).toMatchObject({ 'x-acme-delivery': 'order-1', 'x-acme-event': 'orders.created' });
    expect(request.headers['x-acme-signature']).toMatch(/^sha256=[A-Za-z0-9+/]+=*$/);
    expect(request).toMatchObject({
      deliveryId: contentDeliveryId('acme', request.body),
      providerId: 'order-1',
    });
    expect(verify('hmac-sha256', 'acme-test-secret', request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('gives an hmac-sha256 source without an id header the content id and no provider id', () => {
    const { WEBHOOK_ID_HEADER_ACME: _unused, ...withoutIdHeader } = env;
    const request = buildSignedWebhook({ source: 'acme' }, withoutIdHeader, now);
    expect(request.deliveryId).toBe(contentDeliveryId('acme', request.body));
    expect(request.providerId).toBeUndefined();
  });

  it('leaves the delivery id to the answer when the receiver would refuse the id the caller gives', () => {
    const request = buildSignedWebhook({ source: 'standard', id: 'not an id!' }, env, now);
    expect(request.headers['webhook-id']).toBe('not an id!');
    expect(request.deliveryId).toBeUndefined();
  });

  it('signs with WEBHOOK_TEST_SIGNING_KEY_<SOURCE> when set, which the receiver never reads', () => {
    const testKey = `whsec_${Buffer.from('the tools-only signing key').toString('base64')}`;
    const request = buildSignedWebhook(
      { source: 'standard' },
      { ...env, WEBHOOK_TEST_SIGNING_KEY_STANDARD: testKey },
      now,
    );
    expect(verify('standard', testKey, request)).toEqual({ valid: true, secretIndex: 0 });
    expect(verify('standard', env.WEBHOOK_SECRET_STANDARD, request)).toMatchObject({ valid: false });
  });

  it('refuses a source whose scheme this intake does not have, naming the schemes it has', () => {
    expect(() =>
      buildSignedWebhook(
        { source: 'acme' },
        { WEBHOOK_SECRET_ACME: 'acme-test-secret', WEBHOOK_SCHEME_ACME: 'carrier-pigeon' },
        now,
      ),
    ).toThrow(/scheme "carrier-pigeon", which this intake does not have \(schemes: github, /);
  });

  it('names the variables to set for a source without a local secret, and never a secret value', () => {
    expect(() => buildSignedWebhook({ source: 'github' }, {}, now)).toThrow(/WEBHOOK_SECRET_GITHUB/);
    expect(() => buildSignedWebhook({ source: 'my-app' }, {}, now)).toThrow(
      /WEBHOOK_SECRET_MY_APP.*WEBHOOK_SCHEME_MY_APP/,
    );
    expect(() =>
      buildSignedWebhook({ source: 'github' }, { WEBHOOK_SECRET_PARAMETER_GITHUB: 'ssm:/x' }, now),
    ).toThrow(/No local secret/);
  });
});

describe('webhook:send for every source .env.example configures', () => {
  const example = exampleEnvironment();
  const local = loadLocalSources(example);
  it.each([...local.sources.keys()])(
    '%s: the receiver accepts the built delivery and gives it the delivery id the tool expected',
    async (source) => {
      const request = buildSignedWebhook({ source }, example, now);
      const accepted = await acceptWebhook(
        {
          sourceParam: source,
          headers: request.headers,
          body: request.body.toString('utf8'),
          isBase64Encoded: false,
          method: 'POST',
          rawQueryString: request.query,
        },
        {
          sources: local.sources,
          signingKeys: createSigningKeyResolver(),
          sourceSetting: createSourceSettingResolver(),
          nowMs: () => now * 1000,
          maxBodyBytes: 1024 * 1024,
        },
      );
      expect('message' in accepted && accepted.message.meta.id).toBe(request.deliveryId);
    },
  );
});

describe('webhook:send --handshake', () => {
  it('refuses a scheme without a handshake with a clear error', () => {
    expect(() => buildSourceHandshake('github', env, now)).toThrow(
      'The github scheme (source "github") has no handshake',
    );
    expect(() => buildSourceHandshake('nobody', env, now)).toThrow(/No local secret for source "nobody"/);
  });
});

describe('webhook:send requests over HTTP', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"x"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the built request with its method, path, query, headers and exact body bytes', async () => {
    const request = buildSignedWebhook({ source: 'github', id: 'delivery-1' }, env, now);
    const answer = await sendRequest(base, { ...request, query: 'a=1&b=2' });
    expect(answer).toMatchObject({ status: 202, statusText: 'Accepted', text: '{"id":"x"}' });
    expect(answer.headers['content-type']).toBe('application/json');
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/webhooks/github?a=1&b=2',
      body: request.body.toString('utf8'),
      headers: { 'x-hub-signature-256': request.headers['x-hub-signature-256'] },
    });
    expect(requestUrl(base, { path: '/webhooks/github', query: '' })).toBe(`${base}/webhooks/github`);
  });

  it('says whether a handshake was answered as its provider checks it', async () => {
    const handshake = {
      method: 'POST' as const,
      path: '/webhooks/slack',
      query: '',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"challenge":"c"}'),
      check: (status: number, body: string, headers?: Readonly<Record<string, string | undefined>>) =>
        body === '{"id":"x"}' && headers?.['content-type'] === 'application/json'
          ? undefined
          : `got ${status}`,
    };
    expect(await runHandshake(base, handshake)).toEqual({
      answered: true,
      line: '202 Accepted: handshake answered as the provider expects',
    });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/webhooks/slack', body: '{"challenge":"c"}' });
    expect(await runHandshake(base, { ...handshake, check: () => 'challenge not echoed' })).toEqual({
      answered: false,
      line: '202 Accepted: handshake refused: challenge not echoed: {"id":"x"}',
    });
  });

  it('sends a bodiless GET as it is', async () => {
    await sendRequest(base, {
      method: 'GET',
      path: '/webhooks/meta',
      query: 'hub.mode=subscribe',
      headers: {},
    });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/webhooks/meta?hub.mode=subscribe', body: '' });
  });
});

describe('webhook:send environment and target', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'send-webhook-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env.local before .env, as osls does for stage local, and lets the shell win', () => {
    writeFileSync(join(dir, '.env'), 'WEBHOOK_SECRET_GITHUB=from-dotenv\n');
    expect(localStackEnvironment({}, dir)).toEqual({
      env: { WEBHOOK_SECRET_GITHUB: 'from-dotenv' },
      file: '.env',
    });
    writeFileSync(join(dir, '.env.local'), 'WEBHOOK_SECRET_GITHUB=from-local\nA=1\n');
    expect(localStackEnvironment({ A: 'shell' }, dir)).toEqual({
      env: { WEBHOOK_SECRET_GITHUB: 'from-local', A: 'shell' },
      file: '.env.local',
    });
  });

  it('uses only the shell when there is no env file', () => {
    expect(localStackEnvironment({ B: '2' }, dir)).toEqual({ env: { B: '2' } });
  });

  it('targets --url, else the live stack of the state file, else the configured HTTP port', () => {
    expect(baseUrl('http://example.test', {}, dir)).toBe('http://example.test');
    expect(baseUrl(undefined, { INTAKE_HTTP_PORT: '3100' }, dir)).toBe('http://127.0.0.1:3100');
    expect(baseUrl(undefined, {}, dir)).toBe('http://127.0.0.1:3000');
    const stateFile = join(dir, 'state.json');
    const state = { stage: 'local', pid: process.pid, http: { url: 'http://127.0.0.1:45000' } };
    writeFileSync(stateFile, JSON.stringify(state));
    expect(baseUrl(undefined, { INTAKE_STATE_FILE: stateFile }, dir)).toBe('http://127.0.0.1:45000');
    // A stack killed without cleaning up leaves its file: its port is not the target.
    writeFileSync(stateFile, JSON.stringify({ ...state, pid: 2 ** 30 }));
    expect(baseUrl(undefined, { INTAKE_STATE_FILE: stateFile }, dir)).toBe('http://127.0.0.1:3000');
  });
});

describe('webhook:send and document:upload failures', () => {
  it('say which address could not be reached instead of "fetch failed"', () => {
    const refused = new TypeError('fetch failed', {
      cause: { code: 'ECONNREFUSED', address: '127.0.0.1', port: 3000 },
    });
    expect(describeFailure(refused)).toBe(
      'cannot reach 127.0.0.1:3000 (ECONNREFUSED): is `npm start` running? (or pass --url)',
    );
    expect(describeFailure(new TypeError('fetch failed'))).toMatch(/^cannot reach \(network error\)/);
  });

  it('pass other messages through', () => {
    expect(describeFailure(new Error('POST /documents answered 400'))).toBe('POST /documents answered 400');
    expect(describeFailure('plain')).toBe('plain');
  });
});
