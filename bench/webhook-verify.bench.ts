/**
 * Verification + queue-message building vs raw crypto (issue 4 figure): for 1 KB and 64 KB bodies and each
 * provider scheme, the receiver's in-process work — `acceptWebhook` (source lookup, size check, signature
 * on the raw body, delivery id and type, message) plus serialising the message and sizing it for the
 * queue — against the bare minimum: `createHmac(...).update(body).digest()` + `timingSafeEqual`.
 * Interleaved rounds, median of per-round ratios; target ≤ 1.2×. The generic hmac-sha256 scheme without
 * an id header needs a second hash for its content id, so it is reported without a target.
 * `<scheme>_<size>_verify_only_ratio` is the signature check alone (header parsed and strictly decoded,
 * HMAC, constant-time compare), without building the message: the floor under the full figure.
 *
 *   npx tsx bench/webhook-verify.bench.ts
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { acceptWebhook, type AcceptDependencies, type IncomingWebhook } from '../src/webhooks/accept';
import { fitsInBytes, serialiseWebhookMessage } from '../src/webhooks/message';
import { signGenericHmac, signGithub, signStandard, signStripe } from '../src/webhooks/signature/sign';
import { verifySignature } from '../src/webhooks/signature';
import { createSigningKeyResolver } from '../src/webhooks/signing-keys';
import { loadWebhookSources } from '../src/webhooks/sources';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const nowMs = Date.now();
const nowSeconds = Math.floor(nowMs / 1000);
const secrets = {
  github: 'bench github secret',
  stripe: 'whsec_bench_stripe',
  standard: `whsec_${Buffer.from('bench standard key').toString('base64')}`,
  generic: 'bench generic secret',
};
const deps: AcceptDependencies = {
  sources: loadWebhookSources({
    WEBHOOK_SECRET_GITHUB: secrets.github,
    WEBHOOK_SECRET_STRIPE: secrets.stripe,
    WEBHOOK_SECRET_STANDARD: secrets.standard,
    WEBHOOK_SECRET_GENERIC: secrets.generic,
    WEBHOOK_SCHEME_GENERIC: 'hmac-sha256',
    WEBHOOK_SIGNATURE_HEADER_GENERIC: 'x-signature',
  }),
  signingKeys: createSigningKeyResolver(),
  nowMs: () => nowMs,
  maxBodyBytes: 1024 * 1024,
};

/** A realistic JSON event of about `bytes`: Stripe-like, nested data with quotes, unicode and numbers. */
function eventBody(bytes: number): string {
  const items: unknown[] = [];
  const event = {
    id: 'evt_3PZbench0000000001',
    object: 'event',
    api_version: '2024-06-20',
    created: nowSeconds,
    data: { object: { id: 'pi_1', items } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'payment_intent.succeeded',
  };
  for (let index = 0; JSON.stringify(event).length < bytes; index++) {
    items.push({
      id: `item_${index}`,
      description: 'Café "deluxe" — 東京 ✓',
      amount: index * 100,
      tags: ['a', 'b'],
      metadata: { order: `o-${index}` },
    });
  }
  return JSON.stringify(event);
}

const apiGatewayHeaders = {
  accept: '*/*',
  'content-type': 'application/json; charset=utf-8',
  'user-agent': 'Provider-Webhooks/1.0',
  host: 'abc123.execute-api.us-east-1.amazonaws.com',
  'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
  'x-forwarded-for': '203.0.113.10',
  'x-forwarded-port': '443',
  'x-forwarded-proto': 'https',
};

function incoming(scheme: 'github' | 'stripe' | 'standard' | 'generic', body: string): IncomingWebhook {
  const signed = {
    github: () => ({
      ...signGithub(secrets.github, body),
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    }),
    stripe: () => signStripe(secrets.stripe, body, nowSeconds),
    standard: () => signStandard(secrets.standard, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body, nowSeconds),
    generic: () =>
      signGenericHmac(secrets.generic, body, { header: 'x-signature', encoding: 'hex', prefix: '' }),
  }[scheme]();
  return { sourceParam: scheme, headers: { ...apiGatewayHeaders, ...signed }, body, isBase64Encoded: false };
}

async function receiverWork(request: IncomingWebhook): Promise<number> {
  const { message } = await acceptWebhook(request, deps);
  const text = serialiseWebhookMessage(message);
  return fitsInBytes(text, 262_144) ? text.length : -1;
}

/** The signature check alone, as the receiver runs it (same keys, same lower-cased headers). */
async function verifyOnly(request: IncomingWebhook): Promise<boolean> {
  const source = deps.sources.get(request.sourceParam!)!;
  const keys = await deps.signingKeys(source);
  const check = verifySignature(
    source.scheme,
    { request: { headers: request.headers!, rawBody: request.body! }, keys, nowMs },
    source.hmac,
  );
  return check.valid;
}

function rawVerify(key: Buffer, body: string, expected: Buffer): boolean {
  return timingSafeEqual(createHmac('sha256', key).update(body).digest(), expected);
}

async function timeAsync(iterations: number, work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) await work();
  return Number(process.hrtime.bigint() - started) / iterations;
}

/** Same loop shape as timeAsync (awaited), so the baseline pays the same per-iteration await. */
async function timeBaseline(iterations: number, work: () => boolean): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) await work();
  return Number(process.hrtime.bigint() - started) / iterations;
}

async function main(): Promise<void> {
  const figures: Record<string, number> = {};
  const targets: Record<string, string> = {};
  let pass = true;
  const summary: string[] = [];
  for (const [label, bytes] of [
    ['1kb', 1024],
    ['64kb', 64 * 1024],
  ] as const) {
    const body = eventBody(bytes);
    const key = Buffer.from(secrets.github);
    const expected = createHmac('sha256', key).update(body).digest();
    const iterations = bytes <= 1024 ? 4000 : 200;
    for (const scheme of ['github', 'stripe', 'standard', 'generic'] as const) {
      const request = incoming(scheme, body);
      if ((await receiverWork(request)) <= bytes) throw new Error('the message lost its body');
      if (!(await verifyOnly(request))) throw new Error('the signature check failed');
      const ratios: number[] = [];
      const verifyRatios: number[] = [];
      const ours: number[] = [];
      for (let round = 0; round < 25; round++) {
        // Alternate which side runs first so drift and GC land on both alike.
        const baselineFirst = round % 2 === 0;
        const a = baselineFirst
          ? await timeBaseline(iterations, () => rawVerify(key, body, expected))
          : await timeAsync(iterations, () => receiverWork(request));
        const b = baselineFirst
          ? await timeAsync(iterations, () => receiverWork(request))
          : await timeBaseline(iterations, () => rawVerify(key, body, expected));
        const [baseline, receiver] = baselineFirst ? [a, b] : [b, a];
        ratios.push(receiver / baseline);
        ours.push(receiver);
        verifyRatios.push((await timeAsync(iterations, () => verifyOnly(request))) / baseline);
      }
      const ratio = round2(median(ratios));
      figures[`${scheme}_${label}_ratio`] = ratio;
      figures[`${scheme}_${label}_us`] = round2(median(ours) / 1000);
      figures[`${scheme}_${label}_verify_only_ratio`] = round2(median(verifyRatios));
      if (scheme !== 'generic') {
        targets[`${scheme}_${label}_ratio`] = '<= 1.2';
        pass &&= ratio <= 1.2;
      }
      summary.push(`${scheme} ${label} ${ratio}×`);
    }
  }
  writeBenchResult(
    'webhook-verify',
    figures,
    targets,
    pass,
    `verify+message vs raw HMAC+timingSafeEqual: ${summary.join(', ')} (target ≤ 1.2×; generic has no id header: 2 hashes, no target)`,
  );
}

void main();
