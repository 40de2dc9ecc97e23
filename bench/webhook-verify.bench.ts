/**
 * The signature check alone (issue 14, figure 5): for every scheme the registry lists (`schemeNames`)
 * and for 1 KB and 64 KB bodies, what the receiver runs to check a signature — the source's keys from
 * the resolver and `verifySignature` on the request as the Lambda runtime hands it over (JSON-parsed):
 * headers read, the signature header parsed and strictly decoded, the timestamp checked against the
 * tolerance, HMAC with each key, constant-time compare — against the bare minimum for that scheme,
 * with the same key:
 *
 *   github       createHmac(key).update(body).digest()                           + timingSafeEqual
 *   stripe       createHmac(key).update(`${t}.`).update(body).digest()           + timingSafeEqual
 *   standard     createHmac(whsec key, decoded).update(`${id}.${t}.`).update(body).digest() + timingSafeEqual
 *   hmac-sha256  createHmac(key).update(body).digest()                           + timingSafeEqual
 *   shopify      createHmac(key).update(body).digest()                           + timingSafeEqual
 *   meta         createHmac(key).update(body).digest()                           + timingSafeEqual
 *   slack, zoom  createHmac(key).update(`v0:${t}:`).update(body).digest()         + timingSafeEqual
 *   gitlab, basic, api-key  sha256(presented token) against sha256(key) computed before + timingSafeEqual
 *   standard-v1a crypto.verify(null, `${id}.${t}.${body}` joined before timing, whpk_ KeyObject, signature)
 *   paddle       createHmac(key).update(`${ts}:`).update(body).digest()          + timingSafeEqual
 *   twilio       createHmac('sha1', token).update(`${url}?bodySHA256=${hex}`).digest() + timingSafeEqual, and
 *                createHash('sha256').update(body).digest() + timingSafeEqual with the decoded bodySHA256
 *                (a JSON body, as the bench sends: Twilio signs the URL and the URL carries the body's hash)
 *
 * `standard-v1a` is a variant of `standard` (a source with a `whpk_` key, signed `v1a` with ed25519).
 * The baseline's prefix and the expected digest it compares with are computed before timing, so it does
 * nothing but the cryptography; the prefix goes in as its own update because that is cheaper than
 * building `prefix + body` (the concatenation is copied again when it is hashed).
 * Each round times baseline, ours, ours, baseline (so drift cancels), `iterations` calls each, and takes
 * ours / baseline; the figure is the median of the rounds. Target: `<scheme>_<size>_ratio` ≤ 1.2 for
 * every HMAC scheme and size; ed25519 and the token schemes are reported without one.
 *
 * Also reported, without a target: `<scheme>_<size>_receiver_ratio`, the receiver's whole in-process
 * work (`acceptWebhook` — source lookup, size check, signature, JSON check of the body, delivery id and
 * type, message — plus serialising it for the queue) over the same baseline. Per-event cost is issue 14's
 * figure 3; this keeps the trail of issue 4's figure.
 * The result file holds the CPU profile of one extra pass of the signature check per scheme at 1 KB.
 *
 *   npm run bench -- webhook-verify
 */
import { createHash, createHmac, hash, timingSafeEqual, verify } from 'node:crypto';
import { acceptWebhook, type AcceptDependencies, type IncomingWebhook } from '../src/webhooks/accept';
import { fitsInBytes, serialiseWebhookMessage } from '../src/webhooks/message';
import {
  schemeNames,
  signingKeyFromSecret,
  verifySignature,
  type SchemeName,
  type SigningKey,
  type WebhookRequest,
} from '../src/webhooks/signature';
import {
  signApiKey,
  signBasic,
  signGenericHmac,
  signGithub,
  signGitlab,
  signMeta,
  signPaddle,
  signShopify,
  signSlack,
  signStandard,
  signStripe,
  signTwilioJson,
  signZoom,
  standardPublicKey,
} from '../src/webhooks/senders';
import { createSigningKeyResolver, createSourceSettingResolver } from '../src/webhooks/signing-keys';
import { loadWebhookSources, sourceEnvSuffix, type WebhookSource } from '../src/webhooks/sources';
import { profileInProcess, type ProcessProfile } from './lib/cpu-profile';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const nowMs = Date.now();
const nowSeconds = Math.floor(nowMs / 1000);
const standardId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const twilioUrl = 'https://hooks.example.com/webhooks/twilio';
const target = 1.2;
const rounds = 201;

/** How a scheme is configured, signed, and what its baseline MACs. */
interface BenchEntry {
  readonly source: string;
  readonly secret: string;
  readonly env: Record<string, string>;
  readonly sign: (body: string) => Record<string, string>;
  /** What the scheme MACs before the body (`''`: the body alone). */
  readonly signedPrefix: string;
  /** The query string the provider sends and signs (URL-signing schemes), without `?`. */
  readonly query?: (body: string) => string;
  /**
   * The bare minimum for schemes that are not HMAC-SHA256 of prefix + body (HMAC-SHA1 of a URL,
   * ed25519): a check of the same bytes with the same key, everything derivable computed before.
   */
  readonly baseline?: (body: string, key: SigningKey) => () => boolean;
  /** False for schemes that are not HMAC (ed25519, shared tokens): reported, without the ≤ 1.2 target. */
  readonly targeted?: false;
}

/** Each scheme's entry, by name. A new scheme fails to compile here. */
const schemes: Record<SchemeName, BenchEntry> = {
  github: {
    source: 'github',
    secret: 'bench github secret',
    env: {},
    sign: (body) => ({
      ...signGithub(schemes.github.secret, body),
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    }),
    signedPrefix: '',
  },
  stripe: {
    source: 'stripe',
    secret: 'whsec_bench_stripe_secret',
    env: {},
    sign: (body) => signStripe(schemes.stripe.secret, body, nowSeconds),
    signedPrefix: `${nowSeconds}.`,
  },
  standard: {
    source: 'standard',
    secret: `whsec_${Buffer.from('bench standard key').toString('base64')}`,
    env: {},
    sign: (body) => signStandard(schemes.standard.secret, standardId, body, nowSeconds),
    signedPrefix: `${standardId}.${nowSeconds}.`,
  },
  'hmac-sha256': {
    source: 'generic',
    secret: 'bench generic secret',
    env: { WEBHOOK_SCHEME_GENERIC: 'hmac-sha256', WEBHOOK_SIGNATURE_HEADER_GENERIC: 'x-signature' },
    sign: (body) =>
      signGenericHmac(schemes['hmac-sha256'].secret, body, {
        header: 'x-signature',
        encoding: 'hex',
        prefix: '',
      }),
    signedPrefix: '',
  },
  shopify: {
    source: 'shopify',
    secret: 'bench shopify secret',
    env: {},
    sign: (body) => ({
      ...signShopify(schemes.shopify.secret, body),
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    }),
    signedPrefix: '',
  },
  meta: {
    source: 'meta',
    secret: 'bench meta app secret',
    env: {},
    sign: (body) => signMeta(schemes.meta.secret, body),
    signedPrefix: '',
  },
  gitlab: {
    source: 'gitlab',
    secret: 'bench gitlab secret token',
    env: {},
    sign: () => ({
      ...signGitlab(schemes.gitlab.secret),
      'x-gitlab-event': 'Push Hook',
      'idempotency-key': 'f9d8a6c2-3b1e-4c5d-9e7f-0a1b2c3d4e5f',
    }),
    signedPrefix: '',
    baseline: (_body, key) => tokenBaseline(schemes.gitlab.secret, key),
    targeted: false,
  },
  slack: {
    source: 'slack',
    secret: 'bench slack signing secret',
    env: {},
    sign: (body) => signSlack(schemes.slack.secret, body, nowSeconds),
    signedPrefix: `v0:${nowSeconds}:`,
  },
  zoom: {
    source: 'zoom',
    secret: 'bench zoom secret token',
    env: {},
    sign: (body) => signZoom(schemes.zoom.secret, body, nowSeconds),
    signedPrefix: `v0:${nowSeconds}:`,
  },
  basic: {
    source: 'basic',
    secret: 'bench-user:bench basic password',
    env: {},
    sign: () => signBasic(schemes.basic.secret),
    signedPrefix: '',
    baseline: (_body, key) => tokenBaseline(schemes.basic.secret, key),
    targeted: false,
  },
  'api-key': {
    source: 'api-key',
    secret: 'bench api key 0123456789',
    env: {},
    sign: () => signApiKey(schemes['api-key'].secret),
    signedPrefix: '',
    baseline: (_body, key) => tokenBaseline(schemes['api-key'].secret, key),
    targeted: false,
  },
  paddle: {
    source: 'paddle',
    secret: 'pdl_ntfset_bench_paddle_secret',
    env: {},
    sign: (body) => signPaddle(schemes.paddle.secret, body, nowSeconds),
    signedPrefix: `${nowSeconds}:`,
  },
  twilio: {
    source: 'twilio',
    secret: '0123456789abcdef0123456789abcdef',
    env: { WEBHOOK_PUBLIC_URL_TWILIO: twilioUrl },
    sign: (body) => signTwilioJson(schemes.twilio.secret, twilioUrl, body).headers,
    signedPrefix: '',
    query: (body) => signTwilioJson(schemes.twilio.secret, twilioUrl, body).query!,
    baseline: (body, key) => {
      if (!Buffer.isBuffer(key)) throw new Error('the twilio bench key is not an HMAC key');
      const signedUrl = `${twilioUrl}?${schemes.twilio.query!(body)}`;
      const signature = createHmac('sha1', key).update(signedUrl).digest();
      const bodyHash = createHash('sha256').update(body).digest();
      return () =>
        timingSafeEqual(createHmac('sha1', key).update(signedUrl).digest(), signature) &&
        timingSafeEqual(createHash('sha256').update(body).digest(), bodyHash);
    },
  },
};

/** Standard Webhooks v1a's fixed signing key for the bench (the receiver holds its whpk_ public key). */
const standardSigningKey = `whsk_${Buffer.alloc(32, 7).toString('base64')}`;

/** Further configurations of a scheme, measured under their own label. */
const variants: readonly (BenchEntry & { readonly label: string; readonly scheme: SchemeName })[] = [
  {
    label: 'standard-v1a',
    scheme: 'standard',
    source: 'standard-v1a',
    secret: standardPublicKey(standardSigningKey),
    env: { WEBHOOK_SCHEME_STANDARD_V1A: 'standard' },
    sign: (body) => signStandard(standardSigningKey, standardId, body, nowSeconds),
    signedPrefix: `${standardId}.${nowSeconds}.`,
    // crypto.verify alone, on the same bytes (prefix and body, joined before timing), same KeyObject.
    baseline: (body, key) => {
      if (Buffer.isBuffer(key)) throw new Error('the standard-v1a bench key is not a public key');
      const signed = Buffer.from(`${standardId}.${nowSeconds}.${body}`);
      const header = signStandard(standardSigningKey, standardId, body, nowSeconds)['webhook-signature']!;
      const signature = Buffer.from(header.slice('v1a,'.length), 'base64');
      return () => verify(null, signed, key, signature);
    },
    targeted: false,
  },
];

const entries = [
  ...schemeNames.map((scheme) => ({ label: scheme, scheme, ...schemes[scheme] })),
  ...variants,
];
type Entry = (typeof entries)[number];

/**
 * A bare constant-time token check: SHA-256 of the presented token against the key's digest (computed
 * before, as findMatchingToken keeps it per key), timingSafeEqual.
 */
function tokenBaseline(presented: string, key: SigningKey): () => boolean {
  if (!Buffer.isBuffer(key)) throw new Error('a token bench key is bytes');
  const expected = hash('sha256', key, 'buffer');
  return () => timingSafeEqual(hash('sha256', presented, 'buffer'), expected);
}

const deps: AcceptDependencies = {
  sources: loadWebhookSources(
    Object.assign(
      {},
      ...entries.map(({ source, secret, env }) => ({
        [`WEBHOOK_SECRET_${sourceEnvSuffix(source)}`]: secret,
        ...env,
      })),
    ) as Record<string, string>,
  ),
  signingKeys: createSigningKeyResolver(),
  // The public URL Twilio signs (WEBHOOK_PUBLIC_URL_TWILIO above).
  sourceSetting: createSourceSettingResolver(),
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

/** The event as the Lambda runtime hands it over: parsed from JSON, like every string in it. */
function incoming(entry: Entry, body: string): IncomingWebhook {
  const { source, sign, query } = entry;
  return JSON.parse(
    JSON.stringify({
      sourceParam: source,
      headers: { ...apiGatewayHeaders, ...sign(body) },
      body,
      isBase64Encoded: false,
      ...(query === undefined ? {} : { rawQueryString: query(body) }),
    }),
  ) as IncomingWebhook;
}

/** The signature check as the receiver runs it: the source's keys (held decoded), then verifySignature. */
function signatureCheck(source: WebhookSource, request: IncomingWebhook): boolean {
  const keys = deps.signingKeys(source);
  if (keys instanceof Promise) throw new Error('the bench keeps its secrets in the environment');
  const webhook: WebhookRequest = {
    headers: request.headers!,
    rawBody: request.body!,
    ...(request.rawQueryString === undefined ? {} : { rawQueryString: request.rawQueryString }),
  };
  const publicUrl = source.publicUrl?.kind === 'env' ? source.publicUrl.value : undefined;
  return verifySignature(
    source.scheme,
    { request: webhook, keys, nowMs, ...(publicUrl === undefined ? {} : { publicUrl }) },
    source,
  ).valid;
}

async function receiverWork(request: IncomingWebhook): Promise<number> {
  const accepted = await acceptWebhook(request, deps);
  if (!('message' in accepted)) throw new Error('the bench sends deliveries, not handshakes');
  const text = serialiseWebhookMessage(accepted.message);
  return fitsInBytes(text, 262_144) ? text.length : -1;
}

/** Raw HMAC-SHA256 of the scheme's prefix and the body, and a constant-time compare. */
function hmacBaseline(entry: Entry, body: string, key: SigningKey): () => boolean {
  if (!Buffer.isBuffer(key)) throw new Error(`the ${entry.label} bench key is not an HMAC key`);
  const prefix = entry.signedPrefix;
  const expected = createHmac('sha256', key).update(prefix).update(body).digest();
  return prefix === ''
    ? () => timingSafeEqual(createHmac('sha256', key).update(body).digest(), expected)
    : () => timingSafeEqual(createHmac('sha256', key).update(prefix).update(body).digest(), expected);
}

function timeCalls(iterations: number, work: () => unknown): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) work();
  return Number(process.hrtime.bigint() - started);
}

/** Same loop shape for both sides of the informative receiver figure: each call awaited. */
async function timeAwaited(iterations: number, work: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) await work();
  return Number(process.hrtime.bigint() - started);
}

interface Measured {
  ratio: number;
  oursUs: number;
  baselineUs: number;
}

/** Rounds of baseline, ours, ours, baseline: the median ratio, and the median cost per call of each side. */
async function compare(
  iterations: number,
  baseline: () => unknown,
  ours: () => unknown,
  time: (iterations: number, work: () => unknown) => number | Promise<number>,
): Promise<Measured> {
  const ratios: number[] = [];
  const oursNs: number[] = [];
  const baselineNs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = await time(iterations, baseline);
    const first = await time(iterations, ours);
    const second = await time(iterations, ours);
    const after = await time(iterations, baseline);
    ratios.push((first + second) / (before + after));
    oursNs.push((first + second) / (2 * iterations));
    baselineNs.push((before + after) / (2 * iterations));
  }
  return {
    ratio: round2(median(ratios)),
    oursUs: round2(median(oursNs) / 1000),
    baselineUs: round2(median(baselineNs) / 1000),
  };
}

async function main(): Promise<void> {
  const figures: Record<string, number> = {};
  const targets: Record<string, string> = {};
  const profiles: ProcessProfile[] = [];
  const summary: string[] = [];
  let pass = true;
  for (const [label, bytes] of [
    ['1kb', 1024],
    ['64kb', 64 * 1024],
  ] as const) {
    const iterations = bytes <= 1024 ? 300 : 8;
    for (const entry of entries) {
      const { label: scheme } = entry;
      const request = incoming(entry, eventBody(bytes));
      const body = request.body!;
      const source = deps.sources.get(entry.source)!;
      const key = signingKeyFromSecret(entry.scheme, entry.secret);
      const baseline = entry.baseline?.(body, key) ?? hmacBaseline(entry, body, key);
      const ours = () => signatureCheck(source, request);
      if (!baseline() || !ours()) throw new Error(`the ${scheme} signature does not verify`);
      if ((await receiverWork(request)) <= bytes) throw new Error('the message lost its body');
      for (let warm = 0; warm < 20 * iterations; warm++) {
        baseline();
        ours();
      }

      const check = await compare(iterations, baseline, ours, timeCalls);
      const receiver = await compare(iterations, baseline, () => receiverWork(request), timeAwaited);
      const name = `${scheme}_${label}`;
      figures[`${name}_ratio`] = check.ratio;
      figures[`${name}_us`] = check.oursUs;
      figures[`${name}_baseline_us`] = check.baselineUs;
      figures[`${name}_receiver_ratio`] = receiver.ratio;
      figures[`${name}_receiver_us`] = receiver.oursUs;
      if (entry.targeted !== false) {
        targets[`${name}_ratio`] = `<= ${target}`;
        pass &&= check.ratio <= target;
      }
      summary.push(`${scheme} ${label} ${check.ratio}×`);

      if (label === '1kb') {
        const { profile } = await profileInProcess(`signature check, ${scheme}, 1 KB`, async () => {
          for (let index = 0; index < 100_000; index++) ours();
        });
        profiles.push(profile);
      }
    }
  }
  writeBenchResult(
    'webhook-verify',
    figures,
    targets,
    pass,
    `signature check vs raw HMAC + timingSafeEqual of what each scheme signs: ${summary.join(', ')} (target ≤ ${target}×)`,
    profiles,
  );
}

void main();
