import fc from 'fast-check';
import {
  AppError,
  BadRequestError,
  InvalidJsonError,
  PayloadTooLargeError,
  MethodNotAllowedError,
  RouteNotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../../../src/errors';
import { acceptWebhook, exceedsBytes, type IncomingWebhook } from '../../../src/webhooks/accept';
import { contentDeliveryId } from '../../../src/webhooks/delivery';
import { parseWebhookMessage, serialiseWebhookMessage } from '../../../src/webhooks/message';
import { signGenericHmac, signGithub, signStandard, signStripe } from '../../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../src/webhooks/sources';

const nowMs = Date.UTC(2026, 5, 1, 10, 0, 0);
const nowSeconds = nowMs / 1000;
const standardSecret = `whsec_${Buffer.from('standard webhooks key').toString('base64')}`;
const deps = {
  sources: loadWebhookSources({
    WEBHOOK_SECRET_GITHUB: 'github-secret-new,github-secret-old',
    WEBHOOK_SECRET_STRIPE: 'whsec_stripe-test-secret',
    WEBHOOK_SECRET_STANDARD: standardSecret,
    WEBHOOK_SCHEME_NOSECRET: 'github',
  }),
  signingKeys: createSigningKeyResolver(),
  nowMs: () => nowMs,
  maxBodyBytes: 1024,
};

const githubBody = '{"action":"opened","number":1}';
const githubPost = (overrides: Partial<IncomingWebhook> = {}): IncomingWebhook => ({
  sourceParam: 'github',
  headers: {
    ...signGithub('github-secret-new', githubBody),
    'x-github-event': 'pull_request',
    'x-github-delivery': 'gh-d-1',
    'content-type': 'application/json',
  },
  body: githubBody,
  isBase64Encoded: false,
  ...overrides,
});

/** acceptWebhook for a request that must be a delivery, not a handshake. */
async function acceptDelivery(...args: Parameters<typeof acceptWebhook>) {
  const accepted = await acceptWebhook(...args);
  if (!('message' in accepted)) throw new Error('Expected a delivery, got a handshake answer');
  return accepted;
}

/** True for text that parses as a JSON object (what a JSON scheme's body must be). */
function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

describe('acceptWebhook', () => {
  it('accepts a signed GitHub delivery and builds its queue message', async () => {
    const accepted = await acceptDelivery(githubPost(), deps);
    expect(accepted.secretIndex).toBe(0);
    expect(accepted.message.meta).toMatchObject({
      source: 'github',
      id: contentDeliveryId('github', githubBody),
      providerId: 'gh-d-1',
      type: 'pull_request',
      receivedAt: '2026-06-01T10:00:00.000Z',
    });
    expect(accepted.message.body).toBe(githubBody);
    expect(serialiseWebhookMessage(accepted.message)).not.toContain('sha256=');
  });

  it('treats the source name case-insensitively and header names case-insensitively', async () => {
    const post = githubPost();
    const upperHeaders = Object.fromEntries(
      Object.entries(post.headers!).map(([name, value]) => [name.toUpperCase(), value]),
    );
    const accepted = await acceptDelivery({ ...post, sourceParam: 'GitHub', headers: upperHeaders }, deps);
    expect(accepted.message.meta.providerId).toBe('gh-d-1');
  });

  it('gives a signed GitHub body resent with new delivery ids and other event types one delivery id', async () => {
    const copies = await Promise.all(
      ['push', 'release', 'deployment', 'push'].map((event, index) =>
        acceptDelivery(
          githubPost({
            headers: {
              ...githubPost().headers,
              'x-github-event': event,
              'x-github-delivery': `replay-${index}-${Date.now().toString(36)}`,
            },
          }),
          deps,
        ),
      ),
    );
    const metas = copies.map(({ message }) => message.meta);
    expect(new Set(metas.map(({ id }) => id))).toEqual(new Set([contentDeliveryId('github', githubBody)]));
    expect(new Set(metas.map(({ providerId }) => providerId)).size).toBe(4);
  });

  it('gives a signed hmac-sha256 body resent with new id headers and other event headers one delivery id', async () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_ACME: 'acme-test-secret',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
      WEBHOOK_ID_HEADER_ACME: 'x-acme-delivery',
      WEBHOOK_EVENT_HEADER_ACME: 'x-acme-event',
    });
    const body = '{"order":42}';
    const signature = signGenericHmac('acme-test-secret', body, sources.get('acme')!.hmac!);
    const metas = [];
    for (const [index, event] of ['order.created', 'order.refunded', 'order.cancelled'].entries()) {
      const accepted = await acceptDelivery(
        {
          sourceParam: 'acme',
          headers: { ...signature, 'x-acme-delivery': `acme-${index}`, 'x-acme-event': event },
          body,
          isBase64Encoded: false,
        },
        { ...deps, sources },
      );
      metas.push(accepted.message.meta);
    }
    expect(metas.map(({ id, providerId }) => [id, providerId])).toEqual([
      [contentDeliveryId('acme', body), 'acme-0'],
      [contentDeliveryId('acme', body), 'acme-1'],
      [contentDeliveryId('acme', body), 'acme-2'],
    ]);
  });

  it('reports an older rotation secret by its index', async () => {
    const post = githubPost({
      headers: { ...signGithub('github-secret-old', githubBody), 'x-github-delivery': 'd' },
    });
    expect((await acceptDelivery(post, deps)).secretIndex).toBe(1);
  });

  it('verifies a base64-encoded body on its decoded bytes and keeps it base64', async () => {
    const bytes = Buffer.from('{"note":"Café ✓ 🚀"}');
    const post = githubPost({
      headers: { ...signGithub('github-secret-new', bytes), 'x-github-delivery': 'bin-1' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const { message } = await acceptDelivery(post, deps);
    expect(message.meta.encoding).toBe('base64');
    expect(Buffer.from(parseWebhookMessage(serialiseWebhookMessage(message)).body, 'base64')).toEqual(bytes);
  });

  it('accepts Stripe and Standard Webhooks deliveries with ids from the body and headers', async () => {
    const stripeBody = '{"id":"evt_9","object":"event","data":{"object":{}},"type":"charge.refunded"}';
    const stripe = await acceptDelivery(
      {
        sourceParam: 'stripe',
        headers: signStripe('whsec_stripe-test-secret', stripeBody, nowSeconds),
        body: stripeBody,
        isBase64Encoded: false,
      },
      deps,
    );
    expect(stripe.message.meta).toMatchObject({ id: 'evt_9', type: 'charge.refunded' });
    const standardBody = '{"type":"user.created","timestamp":"2026-06-01T10:00:00Z","data":{}}';
    const standard = await acceptDelivery(
      {
        sourceParam: 'standard',
        headers: signStandard(standardSecret, 'msg_7', standardBody, nowSeconds),
        body: standardBody,
        isBase64Encoded: false,
      },
      deps,
    );
    expect(standard.message.meta).toMatchObject({
      id: 'msg_7',
      type: 'user.created',
      headers: { 'webhook-id': 'msg_7' },
    });
  });

  it.each([
    ['an unknown source', { sourceParam: 'gitlab' }],
    ['a source with no secret', { sourceParam: 'nosecret' }],
    ['an invalid source name', { sourceParam: 'git_hub' }],
    ['no source', { sourceParam: undefined }],
  ])('answers 404 for %s', async (_name, overrides) => {
    await expect(acceptWebhook(githubPost(overrides), deps)).rejects.toBeInstanceOf(RouteNotFoundError);
  });

  it('answers 413 above the body limit, before hashing, for text and base64 bodies', async () => {
    const big = 'x'.repeat(1025);
    await expect(acceptWebhook(githubPost({ body: big }), deps)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(
      acceptWebhook(githubPost({ body: Buffer.alloc(1025).toString('base64'), isBase64Encoded: true }), deps),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('answers 405 to a GET or any other method for a scheme without a GET handshake, before checking anything else', async () => {
    for (const method of ['GET', 'get', 'PUT', 'DELETE']) {
      const attempt = acceptWebhook(githubPost({ method, headers: {}, body: undefined }), deps);
      await expect(attempt).rejects.toBeInstanceOf(MethodNotAllowedError);
      await expect(attempt).rejects.toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' });
    }
    // An unknown source is still 404 whatever the method: the two are not told apart by the method.
    await expect(
      acceptWebhook(githubPost({ method: 'GET', sourceParam: 'nope' }), deps),
    ).rejects.toBeInstanceOf(RouteNotFoundError);
  });

  it('answers 401 for a missing, wrong or stale signature and 400 for a malformed header', async () => {
    await expect(acceptWebhook(githubPost({ headers: {} }), deps)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(acceptWebhook(githubPost({ body: `${githubBody} ` }), deps)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(
      acceptWebhook(githubPost({ headers: { 'x-hub-signature-256': 'md5=1' } }), deps),
    ).rejects.toBeInstanceOf(BadRequestError);
    const stale = signStripe('whsec_stripe-test-secret', '{}', nowSeconds - 301);
    await expect(
      acceptWebhook({ sourceParam: 'stripe', headers: stale, body: '{}', isBase64Encoded: false }, deps),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('answers 401 rather than 400 for a bad id header when the signature is wrong (signature first)', async () => {
    const post = githubPost({
      headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'x-github-delivery': '../x' },
    });
    await expect(acceptWebhook(post, deps)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('treats a missing body and headers as empty', async () => {
    await expect(
      acceptWebhook(
        { sourceParam: 'github', headers: undefined, body: undefined, isBase64Encoded: false },
        deps,
      ),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('passes a parameter store outage through as 503', async () => {
    const failing = {
      ...deps,
      signingKeys: () =>
        Promise.reject(new ServiceUnavailableError('down', { service: 'SSM', operation: 'GetParameter' })),
    };
    await expect(acceptWebhook(githubPost(), failing)).rejects.toMatchObject({ statusCode: 503 });
  });

  it('refuses a signed body that is not a JSON object with 400 INVALID_JSON for github, stripe and standard (fast-check)', async () => {
    const notAJsonObject = fc.oneof(
      fc.string({ maxLength: 200 }).filter((text) => !isJsonObject(text)),
      fc.json().filter((text) => !isJsonObject(text)),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        'payload=%7B%22zen%22%3A%22hi%22%7D',
        '{"id":"evt_1","type":"a"',
        '[{"type":"a"}]',
        'null',
      ),
    );
    const signedPost = (scheme: 'github' | 'stripe' | 'standard', body: string | Buffer): IncomingWebhook => {
      const headers =
        scheme === 'github'
          ? signGithub('github-secret-new', body)
          : scheme === 'stripe'
            ? signStripe('whsec_stripe-test-secret', body, nowSeconds)
            : signStandard(standardSecret, 'msg_1', body, nowSeconds);
      return typeof body === 'string'
        ? { sourceParam: scheme, headers, body, isBase64Encoded: false }
        : { sourceParam: scheme, headers, body: body.toString('base64'), isBase64Encoded: true };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('github', 'stripe', 'standard' as const),
        notAJsonObject,
        async (scheme, body) => {
          if (Buffer.isBuffer(body) && isJsonObject(body.toString('utf8'))) return;
          const refusal = acceptWebhook(signedPost(scheme, body), { ...deps, maxBodyBytes: 4096 });
          await expect(refusal).rejects.toBeInstanceOf(InvalidJsonError);
          await expect(refusal).rejects.toMatchObject({ code: 'INVALID_JSON', statusCode: 400 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks the signature before the JSON: an unsigned non-JSON body is 401, not 400', async () => {
    await expect(acceptWebhook(githubPost({ body: 'not json' }), deps)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('accepts any signed bytes for hmac-sha256, whose payload is not defined as JSON', async () => {
    const sources = loadWebhookSources({
      WEBHOOK_SECRET_ACME: 'acme-test-secret',
      WEBHOOK_SCHEME_ACME: 'hmac-sha256',
      WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
    });
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]);
    const accepted = await acceptDelivery(
      {
        sourceParam: 'acme',
        headers: signGenericHmac('acme-test-secret', bytes, sources.get('acme')!.hmac!),
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      },
      { ...deps, sources },
    );
    expect(accepted.message.meta.type).toBe('unknown');
  });

  it('answers only 4xx AppErrors (never anything else) for arbitrary requests (fast-check)', async () => {
    const headerNames = [
      'x-hub-signature-256',
      'stripe-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-github-delivery',
      'X-GitHub-Event',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('github', 'stripe', 'standard', 'STRIPE', 'x', '', '../github'),
        fc.dictionary(fc.constantFrom(...headerNames), fc.string({ maxLength: 100 })),
        fc.string({ unit: 'binary', maxLength: 2000 }),
        fc.boolean(),
        async (sourceParam, headers, body, isBase64Encoded) => {
          try {
            await acceptDelivery(
              {
                sourceParam,
                headers,
                body: isBase64Encoded ? Buffer.from(body).toString('base64') : body,
                isBase64Encoded,
              },
              deps,
            );
            throw new Error('an unsigned request was accepted');
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            expect((error as AppError).statusCode).toBeGreaterThanOrEqual(400);
            expect((error as AppError).statusCode).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('exceedsBytes', () => {
  it('compares UTF-8 bytes of text and decoded bytes of base64 with the limit, without decoding', () => {
    expect(exceedsBytes('é', false, 2)).toBe(false);
    expect(exceedsBytes('é', false, 1)).toBe(true);
    expect(exceedsBytes('ab', false, 1)).toBe(true);
    expect(exceedsBytes('abc', false, 3)).toBe(false);
    for (const size of [0, 1, 2, 3, 4, 100]) {
      const base64 = Buffer.alloc(size).toString('base64');
      expect(exceedsBytes(base64, true, size)).toBe(false);
      expect(exceedsBytes(base64, true, size - 1)).toBe(true);
    }
  });
});
