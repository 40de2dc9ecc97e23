import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseUrl,
  buildSignedWebhook,
  describeFailure,
  localStackEnvironment,
  parseSendWebhookArgs,
} from '../../../scripts/send-webhook';
import { contentDeliveryId } from '../../../src/webhooks/delivery';
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
      timeoutSeconds: 5,
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
    expect(body.id).toMatch(/^evt_quickstart_[0-9a-f]{32}$/);
    expect(request.deliveryId).toBe(body.id);
    expect(verify('stripe', 'whsec_stripe-test-secret', request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('leaves the delivery id of a Stripe body given by the caller to the receiver', () => {
    const body = Buffer.from('{"id":"evt_1","type":"a.b"}');
    const request = buildSignedWebhook({ source: 'stripe', body }, env, now);
    expect(request.body).toBe(body);
    expect(request.deliveryId).toBeUndefined();
    expect(verify('stripe', 'whsec_stripe-test-secret', request)).toEqual({ valid: true, secretIndex: 0 });
  });

  it('signs a Standard Webhooks delivery with the decoded whsec_ key and a msg_ id', () => {
    const request = buildSignedWebhook({ source: 'standard' }, env, now);
    expect(request.headers['webhook-id']).toMatch(/^msg_quickstart_/);
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
