import {
  BadRequestError,
  InvalidJsonError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
} from '../errors';
import { identifyDelivery } from './delivery';
import { buildWebhookMessage, type WebhookMessage } from './message';
import { schemes, type HandshakeAnswer, type SchemeName } from './schemes';
import { jsonObjectBody } from './schemes/fields';
import type { WebhookRequest } from './signature';
import type { SigningKeysFor, SourceSettingFor, SourceSettingName } from './signing-keys';
import { normaliseSourceName, type WebhookSource } from './sources';

/** A webhook request as API Gateway (payload v2) hands it over. */
export interface IncomingWebhook {
  readonly sourceParam: string | undefined;
  readonly headers: Readonly<Record<string, string | undefined>> | undefined;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
  /** `POST` (deliveries, signed handshakes) unless said: `GET` for handshakes such as Meta's. */
  readonly method?: string;
  /** The query string as received, without `?`. */
  readonly rawQueryString?: string;
}

export interface AcceptDependencies {
  readonly sources: ReadonlyMap<string, WebhookSource>;
  readonly signingKeys: SigningKeysFor;
  /** A source's verify token and public URL; without it, sources have neither. */
  readonly sourceSetting?: SourceSettingFor;
  readonly nowMs: () => number;
  /** Largest raw body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly toleranceSeconds?: number;
}

/**
 * What a genuine request turned out to be: a delivery (its queue message, and which secret matched, >0
 * meaning an older secret in rotation), or a provider's handshake with its answer (never queued).
 */
export type AcceptedWebhook =
  | { readonly message: WebhookMessage; readonly secretIndex: number }
  | { readonly handshake: HandshakeAnswer };

/**
 * Decides whether a webhook request is genuine and builds its queue message — everything the receiver
 * does before enqueueing — or answers the provider's handshake. The signature is checked on the raw
 * bytes, before anything parses the body; a POST handshake is answered only once verified. Throws
 * RouteNotFoundError (404: unknown source or no secret — the two are indistinguishable to callers),
 * MethodNotAllowedError (405: a GET to a scheme without a GET handshake), PayloadTooLargeError (413),
 * BadRequestError (400: malformed headers), UnauthorizedError (401: missing, stale or wrong signature),
 * InvalidJsonError (400, after the signature: a JSON scheme's body that is not a JSON object), and the
 * scheme's own handshake refusals; a parameter store outage surfaces as ServiceUnavailableError (503), a
 * source whose stored secret or setting is missing or unusable as WebhookSourceMisconfiguredError (503).
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
  const scheme = schemes[source.scheme];

  const body = incoming.body ?? '';
  if (exceedsBytes(body, incoming.isBase64Encoded, deps.maxBodyBytes)) {
    throw new PayloadTooLargeError(`The webhook body exceeds ${deps.maxBodyBytes} bytes`);
  }
  const headers = lowerCaseHeaders(incoming.headers ?? {});
  const request: WebhookRequest = {
    headers,
    rawBody: incoming.isBase64Encoded ? Buffer.from(body, 'base64') : body,
    ...(incoming.rawQueryString === undefined ? {} : { rawQueryString: incoming.rawQueryString }),
  };

  const method = incoming.method?.toUpperCase() ?? 'POST';
  if (method !== 'POST') {
    if (
      method !== 'GET' ||
      scheme.answerHandshake === undefined ||
      !scheme.handshakeMethods?.includes(method)
    )
      throw new MethodNotAllowedError(`Webhook source ${source.name} answers POST only`);
    const answer = scheme.answerHandshake({
      method,
      request,
      query: queryParameters(incoming.rawQueryString),
      keys,
      ...(await verifyToken(source, deps)),
    });
    if (answer === undefined) throw new MethodNotAllowedError(`This GET is not a ${source.scheme} handshake`);
    return { handshake: answer };
  }

  const nowMs = deps.nowMs();
  const publicUrl = scheme.requires?.includes('publicUrl')
    ? await setting(source, 'publicUrl', deps)
    : undefined;
  const check = scheme.verify({
    request,
    keys,
    nowMs,
    settings: source,
    ...(deps.toleranceSeconds === undefined ? {} : { toleranceSeconds: deps.toleranceSeconds }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
  });
  if (!check.valid) {
    throw check.failure === 'malformed'
      ? new BadRequestError(check.detail)
      : new UnauthorizedError(check.detail);
  }
  const json = scheme.body === 'json-object' ? requireJsonObjectBody(source.scheme, request) : undefined;
  if (scheme.answerHandshake !== undefined) {
    const answer = scheme.answerHandshake({
      method: 'POST',
      request,
      query: queryParameters(incoming.rawQueryString),
      keys,
      secretIndex: check.secretIndex,
      ...(json === undefined ? {} : { json }),
    });
    if (answer !== undefined) return { handshake: answer };
  }
  const identity = identifyDelivery(source, request, json);
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

async function setting(
  source: WebhookSource,
  name: SourceSettingName,
  deps: AcceptDependencies,
): Promise<string | undefined> {
  const value = deps.sourceSetting?.(source, name);
  return value instanceof Promise ? await value : value;
}

async function verifyToken(
  source: WebhookSource,
  deps: AcceptDependencies,
): Promise<{ verifyToken?: string }> {
  const token = await setting(source, 'verifyToken', deps);
  return token === undefined ? {} : { verifyToken: token };
}

/** The first value of each query parameter (handshakes read one value each). */
function queryParameters(rawQueryString: string | undefined): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  if (rawQueryString === undefined || rawQueryString === '') return query;
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] ??= value;
  return query;
}

/**
 * The body of a `json-object` scheme, parsed; throws InvalidJsonError unless it is a JSON object in
 * UTF-8. Runs after the signature check, so only the holder of the secret learns why a body was refused;
 * without it, a signed body that is not JSON would be queued, archived and routed as type "unknown".
 */
function requireJsonObjectBody(
  scheme: SchemeName,
  request: WebhookRequest,
): Readonly<Record<string, unknown>> {
  const json = jsonObjectBody(request.rawBody);
  if (json === undefined) {
    throw new InvalidJsonError(
      `A ${scheme} webhook body must be a JSON object${scheme === 'github' ? " (set the webhook's Content type to application/json)" : ''}`,
    );
  }
  return json;
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
