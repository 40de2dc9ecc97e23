import {
  BadRequestError,
  InvalidJsonError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
} from '../errors';
import { identifyDelivery } from './delivery';
import { buildWebhookMessage, type WebhookMessage } from './message';
import { verifySignature, type WebhookRequest } from './signature';
import type { SchemeName } from './signature/types';
import type { SigningKeysFor } from './signing-keys';
import { normaliseSourceName, type WebhookSource } from './sources';

/** A webhook POST as API Gateway (payload v2) hands it over. */
export interface IncomingWebhook {
  readonly sourceParam: string | undefined;
  readonly headers: Readonly<Record<string, string | undefined>> | undefined;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
}

export interface AcceptDependencies {
  readonly sources: ReadonlyMap<string, WebhookSource>;
  readonly signingKeys: SigningKeysFor;
  readonly nowMs: () => number;
  /** Largest raw body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly toleranceSeconds?: number;
}

/** An accepted delivery: its queue message and which secret matched (>0: an older secret in rotation). */
export interface AcceptedWebhook {
  readonly message: WebhookMessage;
  readonly secretIndex: number;
}

/**
 * Decides whether a webhook POST is genuine and builds its queue message — everything the receiver does
 * before enqueueing. The signature is checked on the raw bytes, before anything parses the body. Throws
 * RouteNotFoundError (404: unknown source or no secret — the two are indistinguishable to callers),
 * PayloadTooLargeError (413), BadRequestError (400: malformed headers), UnauthorizedError (401: missing,
 * stale or wrong signature), InvalidJsonError (400, after the signature: a JSON scheme's body that is not
 * a JSON object); a parameter store outage surfaces as ServiceUnavailableError (503), a
 * source whose stored secret is missing or unusable as WebhookSourceMisconfiguredError (503).
 */
export async function acceptWebhook(
  incoming: IncomingWebhook,
  deps: AcceptDependencies,
): Promise<AcceptedWebhook> {
  const name = incoming.sourceParam === undefined ? undefined : normaliseSourceName(incoming.sourceParam);
  const source = name === undefined ? undefined : deps.sources.get(name);
  const pendingKeys = source === undefined ? [] : deps.signingKeys(source);
  const keys = pendingKeys instanceof Promise ? await pendingKeys : pendingKeys;
  if (source === undefined || keys.length === 0)
    throw new RouteNotFoundError('No webhook source of that name is configured');

  const body = incoming.body ?? '';
  if (exceedsBytes(body, incoming.isBase64Encoded, deps.maxBodyBytes)) {
    throw new PayloadTooLargeError(`The webhook body exceeds ${deps.maxBodyBytes} bytes`);
  }
  const headers = lowerCaseHeaders(incoming.headers ?? {});
  const request: WebhookRequest = {
    headers,
    rawBody: incoming.isBase64Encoded ? Buffer.from(body, 'base64') : body,
  };

  const nowMs = deps.nowMs();
  const check = verifySignature(
    source.scheme,
    {
      request,
      keys,
      nowMs,
      ...(deps.toleranceSeconds === undefined ? {} : { toleranceSeconds: deps.toleranceSeconds }),
    },
    source.hmac,
  );
  if (!check.valid) {
    throw check.failure === 'malformed'
      ? new BadRequestError(check.detail)
      : new UnauthorizedError(check.detail);
  }
  assertJsonObjectBody(source.scheme, request);
  const identity = identifyDelivery(source, request);
  const message = buildWebhookMessage({
    source,
    identity,
    headers,
    body,
    isBase64Encoded: incoming.isBase64Encoded,
    receivedAtMs: nowMs,
  });
  return { message, secretIndex: check.secretIndex };
}

/**
 * The schemes whose payload is a JSON object by definition: GitHub (with Content type application/json,
 * as docs/webhooks.md asks), Stripe events, Standard Webhooks. `hmac-sha256` signs any bytes.
 */
const jsonObjectSchemes: ReadonlySet<SchemeName> = new Set(['github', 'stripe', 'standard']);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Throws InvalidJsonError unless the body of a JSON scheme is a JSON object in UTF-8. Runs after the
 * signature check, so only the holder of the secret learns why a body was refused; without it, a signed
 * body that is not JSON would be queued, archived and routed as type "unknown".
 */
function assertJsonObjectBody(scheme: SchemeName, request: WebhookRequest): void {
  if (!jsonObjectSchemes.has(scheme)) return;
  let parsed: unknown;
  try {
    const text = typeof request.rawBody === 'string' ? request.rawBody : strictUtf8.decode(request.rawBody);
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidJsonError(
      `A ${scheme} webhook body must be a JSON object${scheme === 'github' ? " (set the webhook's Content type to application/json)" : ''}`,
    );
  }
}

/**
 * True when the raw body is larger than `limit` bytes, without decoding it: base64 is 3 bytes per 4
 * characters minus padding; UTF-8 text is between 1 and 3 bytes per UTF-16 unit, so only a body in
 * between those bounds is counted exactly (counting a 64 KB non-ASCII body costs as much as hashing it).
 */
export function exceedsBytes(body: string, isBase64Encoded: boolean, limit: number): boolean {
  if (isBase64Encoded) {
    const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
    return Math.floor((body.length * 3) / 4) - padding > limit;
  }
  if (body.length > limit) return true;
  return body.length * 3 > limit && Buffer.byteLength(body, 'utf8') > limit;
}

/** API Gateway v2 already lower-cases names; events from elsewhere (tests, tools) may not. */
function lowerCaseHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  for (const name in headers) {
    if (name !== name.toLowerCase()) {
      const lowered: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(headers)) lowered[key.toLowerCase()] = value;
      return lowered;
    }
  }
  return headers;
}
