/**
 * Builds webhook requests as each source's provider sends them, for every tool that plays the provider
 * (`npm run webhook:send`, the sample events under events/, the fuzz and reliability runs, the e2e tests).
 * Generic over the scheme registries: everything a scheme does on the sending side comes from
 * `senders[source.scheme]` (src/webhooks/senders/), and the delivery id the receiver will give a request
 * is computed by the receiver's own `identifyDelivery`, so a provider added to the registries is covered
 * by every tool with no change here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { identifyDelivery } from '../../src/webhooks/delivery';
import { isSchemeName, schemeNames, schemes, type SchemeName } from '../../src/webhooks/schemes';
import type { HandshakeRequest, SchemeSender } from '../../src/webhooks/senders';
import { senders } from '../../src/webhooks/senders';
import { createSigningKeyResolver } from '../../src/webhooks/signing-keys';
import {
  loadWebhookSources,
  sourceEnvSuffix,
  type SettingLocation,
  type WebhookSource,
} from '../../src/webhooks/sources';

/**
 * `WEBHOOK_TEST_SIGNING_KEY_<SOURCE>`: the key the tools sign with when the receiver is configured with
 * one it cannot sign with (a Standard Webhooks `v1a` source holds `whpk_` public keys; the tools need the
 * `whsk_` private key). Read by the tools only, never by the receiver (nothing under src/ reads it).
 */
export const testSigningKeyPrefix = 'WEBHOOK_TEST_SIGNING_KEY_';

/** The per-source setting families (`WEBHOOK_<SETTING>_<SOURCE>`), as serverless/webhooks-env.js passes them on. */
const sourceSettings = [
  'SECRET',
  'SCHEME',
  'SIGNATURE_HEADER',
  'SIGNATURE_ENCODING',
  'SIGNATURE_PREFIX',
  'ID_HEADER',
  'EVENT_HEADER',
  'VERIFY_TOKEN',
  'PUBLIC_URL',
  'TEST_SIGNING_KEY',
] as const;

/** Webhook variables with fixed names, which are no source's (src/config.ts, serverless/webhooks-env.js). */
const fixedVariables = new Set([
  'WEBHOOK_MAX_BODY_BYTES',
  'WEBHOOK_SECRET_CACHE_SECONDS',
  'WEBHOOK_FUNCTION_PREFIX',
  'WEBHOOK_HISTORY_TTL_DAYS',
  'WEBHOOK_SOURCES',
]);

/** The sources a tool can sign for, and those it cannot because their scheme is not registered (yet). */
export interface LocalSources {
  readonly sources: ReadonlyMap<string, WebhookSource>;
  /** The `WEBHOOK_*` variables of `sources`, as the receiver reads them (no test signing keys). */
  readonly receiverVariables: Readonly<Record<string, string>>;
  readonly skipped: readonly { readonly source: string; readonly scheme: string }[];
  /** `WEBHOOK_TEST_SIGNING_KEY_<SOURCE>` values, by source name. */
  readonly testSigningKeys: ReadonlyMap<string, string>;
}

/**
 * The webhook sources configured inline in `env` (the local stage's way: inline secrets, verify tokens and
 * public URLs; `…_PARAMETER_…` locations are for deployed stages and ignored here), read by the receiver's
 * own `loadWebhookSources`. A source whose scheme is not in the registry is left out and listed in
 * `skipped` rather than failing, so `.env.example` may name providers merged later.
 */
export function loadLocalSources(env: NodeJS.ProcessEnv): LocalSources {
  const bySuffix = new Map<string, Map<string, string>>();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || fixedVariables.has(key) || key.includes('_PARAMETER_')) continue;
    const setting = [...sourceSettings]
      .sort((a, b) => b.length - a.length)
      .find((candidate) => key.startsWith(`WEBHOOK_${candidate}_`));
    if (setting === undefined) continue;
    const suffix = key.slice(`WEBHOOK_${setting}_`.length);
    const values = bySuffix.get(suffix) ?? new Map<string, string>();
    values.set(key, value);
    bySuffix.set(suffix, values);
  }
  const receiverVariables: Record<string, string> = {};
  const skipped: { source: string; scheme: string }[] = [];
  const testSigningKeys = new Map<string, string>();
  for (const [suffix, values] of bySuffix) {
    const source = suffix.toLowerCase().replace(/_/g, '-');
    const scheme = (values.get(`WEBHOOK_SCHEME_${suffix}`) ?? source).toLowerCase();
    if (!isSchemeName(scheme)) {
      skipped.push({ source, scheme });
      continue;
    }
    for (const [key, value] of values) {
      if (key.startsWith(testSigningKeyPrefix)) testSigningKeys.set(source, value);
      else receiverVariables[key] = value;
    }
  }
  return { sources: loadWebhookSources(receiverVariables), receiverVariables, skipped, testSigningKeys };
}

/** The value of a setting held inline (the local stage's way), else undefined. */
function inline(location: SettingLocation | undefined): string | undefined {
  return location?.kind === 'env' ? location.value : undefined;
}

/** What a tool needs to play one source's provider. */
export interface SendingSource {
  readonly source: WebhookSource;
  readonly sender: SchemeSender;
  /** The key the provider signs with: the source's test signing key, else its current (first) secret. */
  readonly secret: string;
  readonly verifyToken?: string;
  readonly publicUrl?: string;
}

/**
 * The sending side of a configured source, or an Error naming the variables to set (never a secret's
 * value) when the tools cannot sign for it. `registry` is the sender registry (tests may pass their own).
 */
export function sendingSource(
  local: LocalSources,
  name: string,
  registry: Readonly<Record<string, SchemeSender>> = senders,
): SendingSource {
  const source = local.sources.get(name);
  const suffix = sourceEnvSuffix(name);
  const skipped = local.skipped.find((candidate) => candidate.source === name);
  if (skipped !== undefined)
    throw new Error(
      `Source "${name}" uses the scheme "${skipped.scheme}", which this intake does not have (schemes: ${schemeNames.join(', ')})`,
    );
  const secret =
    local.testSigningKeys.get(name) ??
    (source?.secrets?.kind === 'env' ? source.secrets.secrets[0] : undefined);
  if (source === undefined || secret === undefined) {
    throw new Error(
      `No local secret for source "${name}": set WEBHOOK_SECRET_${suffix} in the shell or in .env.local ` +
        '(see .env.example), the same value `npm start` runs with' +
        (source === undefined && !isSchemeName(name) ? `, and WEBHOOK_SCHEME_${suffix}` : ''),
    );
  }
  const verifyToken = inline(source.verifyToken);
  const publicUrl = inline(source.publicUrl);
  return {
    source,
    sender: registry[source.scheme]!,
    secret,
    ...(verifyToken === undefined ? {} : { verifyToken }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
  };
}

/** A request ready to send: method, path and query, headers, body. */
export interface WebhookHttpRequest {
  readonly method: 'GET' | 'POST';
  /** `/webhooks/<source>` */
  readonly path: string;
  /** Without `?`; empty for none. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** A signed delivery, and who the receiver will say it is. */
export interface SignedDelivery extends WebhookHttpRequest {
  readonly method: 'POST';
  readonly body: Buffer;
  readonly scheme: SchemeName;
  /** The id the provider put in the request (header or body). */
  readonly sentId: string;
  readonly event: string;
  /** The delivery id the receiver gives it (its own identifyDelivery), undefined if it refuses to say. */
  readonly deliveryId?: string;
  /** The provider's id when the receiver keeps it for tracing only (not covered by the signature). */
  readonly providerId?: string;
}

export interface DeliveryInput {
  readonly event?: string;
  readonly body?: Buffer;
  readonly id?: string;
  readonly nowSeconds: number;
  /** Signs with this key instead of the source's (a wrong secret for bad-signature cases). */
  readonly secret?: string;
}

/** A provider id for `key`, stable for the same key: the sender's prefix and a UUID-shaped hash. */
export function providerIdFor(sender: SchemeSender, key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${sender.idPrefix}${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The delivery the source's provider would send: the sender's sample body for the event (or `body`),
 * the headers and query its `sign` gives, and the delivery id the receiver computes from that request.
 */
export function buildDelivery(sending: SendingSource, input: DeliveryInput): SignedDelivery {
  const { source, sender } = sending;
  const event = input.event ?? sender.defaultEvent;
  const id = input.id ?? `${sender.idPrefix}${randomUUID()}`;
  const body = input.body ?? sender.sampleBody(event, id, input.nowSeconds);
  const signed = sender.sign({
    secret: input.secret ?? sending.secret,
    settings: source,
    body,
    id,
    event,
    nowSeconds: input.nowSeconds,
    ...(sending.publicUrl === undefined ? {} : { publicUrl: sending.publicUrl }),
  });
  const headers = lowerCased({ 'content-type': sender.contentType, ...signed.headers });
  const query = signed.query ?? '';
  let identity: ReturnType<typeof identifyDelivery> | undefined;
  try {
    identity = identifyDelivery(source, { headers, rawBody: body, rawQueryString: query });
  } catch {
    // An id the receiver refuses (400): it says so when the request is sent.
    identity = undefined;
  }
  return {
    method: 'POST',
    path: `/webhooks/${source.name}`,
    query,
    headers,
    body,
    scheme: source.scheme,
    sentId: id,
    event,
    ...(identity === undefined ? {} : { deliveryId: identity.deliveryId }),
    ...(identity?.providerId === undefined ? {} : { providerId: identity.providerId }),
  };
}

/** A provider's handshake for a source, ready to send, with the check of its answer. */
export interface HandshakeHttpRequest extends WebhookHttpRequest {
  readonly check: HandshakeRequest['check'];
}

/**
 * The handshake the source's provider sends (`senders[scheme].handshake`), with `challenge`, the source's
 * verify token and public URL when it has them. Throws an Error for a scheme that has no handshake.
 */
export function buildHandshake(
  sending: SendingSource,
  input: { readonly challenge: string; readonly nowSeconds: number },
): HandshakeHttpRequest {
  const { source, sender } = sending;
  if (sender.handshake === undefined)
    throw new Error(`The ${source.scheme} scheme (source "${source.name}") has no handshake`);
  const handshake = sender.handshake({
    secret: sending.secret,
    settings: source,
    nowSeconds: input.nowSeconds,
    challenge: input.challenge,
    ...(sending.publicUrl === undefined ? {} : { publicUrl: sending.publicUrl }),
    ...(sending.verifyToken === undefined ? {} : { verifyToken: sending.verifyToken }),
  });
  return {
    method: handshake.method,
    path: `/webhooks/${source.name}`,
    query: handshake.query ?? '',
    headers: lowerCased({
      ...(handshake.body === undefined ? {} : { 'content-type': sender.contentType }),
      ...handshake.headers,
    }),
    ...(handshake.body === undefined ? {} : { body: handshake.body }),
    check: (statusCode, text, headers) => handshake.check(statusCode, text, headers),
  };
}

/**
 * The source's handshake, undefined for a scheme without one, or why its sender cannot make one for
 * this source (a scheme's handshake that needs a kind of key the source does not have: Standard Webhooks'
 * endpoint verification is HMAC, so a `whpk_` source has none).
 */
export function handshakeFor(
  sending: SendingSource,
  input: { readonly challenge: string; readonly nowSeconds: number },
): HandshakeHttpRequest | { readonly notApplicable: string } | undefined {
  if (sending.sender.handshake === undefined) return undefined;
  try {
    return buildHandshake(sending, input);
  } catch (error) {
    return { notApplicable: (error as Error).message };
  }
}

/**
 * True when the receiver's own verifier accepts `request` for `sending`'s source at `nowMs` (keys as
 * configured, public URL as configured).
 */
export function receiverAccepts(sending: SendingSource, request: WebhookHttpRequest, nowMs: number): boolean {
  const keys = createSigningKeyResolver()(sending.source);
  if (keys instanceof Promise) throw new Error(`Source ${sending.source.name} has no inline secret`);
  return schemes[sending.source.scheme].verify({
    request: { headers: request.headers, rawBody: request.body ?? '', rawQueryString: request.query },
    keys,
    nowMs,
    settings: sending.source,
    ...(sending.publicUrl === undefined ? {} : { publicUrl: sending.publicUrl }),
  }).valid;
}

/**
 * A copy of a signed delivery that the receiver must refuse (401): its body changed after signing; for
 * schemes that do not sign the body (shared tokens, HTTP Basic), signed with a wrong secret instead.
 * Throws if neither is refused by the receiver's verifier.
 */
export function badlySigned(
  sending: SendingSource,
  valid: SignedDelivery,
  nowSeconds: number,
  accepts: typeof receiverAccepts = receiverAccepts,
): SignedDelivery & { readonly how: 'body changed' | 'wrong secret' } {
  const changedBody = { ...valid, body: Buffer.concat([valid.body, Buffer.from(' ')]) };
  if (!accepts(sending, changedBody, nowSeconds * 1000)) return { ...changedBody, how: 'body changed' };
  const wrongSecret = buildDelivery(sending, {
    event: valid.event,
    body: valid.body,
    id: valid.sentId,
    nowSeconds,
    secret: wrongSecretFor(sending.secret),
  });
  if (!accepts(sending, wrongSecret, nowSeconds * 1000)) return { ...wrongSecret, how: 'wrong secret' };
  throw new Error(`Neither a changed body nor a wrong secret is refused for source ${sending.source.name}`);
}

/** `secret` with its last character changed: as long, and still a well-formed token for token schemes. */
export function wrongSecretFor(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
}

/** Every scheme of the registry without a source in `local` (a tool's coverage gap). */
export function schemesWithoutSource(
  local: LocalSources,
  registry: readonly string[] = schemeNames,
): string[] {
  const covered = new Set([...local.sources.values()].map((source) => source.scheme));
  return registry.filter((scheme) => !covered.has(scheme as SchemeName));
}

/** One source per scheme of the registry (the first configured), for runs that cover each scheme once. */
export function oneSourcePerScheme(local: LocalSources): WebhookSource[] {
  const byScheme = new Map<SchemeName, WebhookSource>();
  for (const source of local.sources.values())
    if (source.secrets?.kind === 'env' && !byScheme.has(source.scheme)) byScheme.set(source.scheme, source);
  return [...byScheme.values()];
}

/**
 * The sending side of one source per scheme of the registry, for runs that must cover every scheme (fuzz,
 * reliability). Throws naming the schemes `local` has no source for.
 */
export function sendingSourcePerScheme(local: LocalSources): SendingSource[] {
  const uncovered = schemesWithoutSource(local);
  if (uncovered.length > 0)
    throw new Error(
      `No .env.example source for the scheme(s) ${uncovered.join(', ')}: add its example lines`,
    );
  return oneSourcePerScheme(local).map((source) => sendingSource(local, source.name));
}

/** KEY=value lines of an env file, including commented-out `# KEY=value` examples (how .env.example gives them). */
export function parseExampleEnvironment(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:#\s*)?([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
