import { createHash } from 'node:crypto';
import { schemes } from './schemes';
import type { WebhookRequest } from './signature';
import type { WebhookSource } from './sources';
import { jsonObjectBody } from './schemes/fields';

export { isValidDeliveryId } from './schemes/fields';

/**
 * What identifies one delivery: the id it is deduplicated by, its event type, and — when the provider's
 * own id is not covered by the signature, so cannot be trusted to deduplicate — that id, for tracing.
 */
export interface DeliveryIdentity {
  readonly deliveryId: string;
  readonly eventType: string;
  readonly providerId?: string;
}

const eventTypePattern = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;

/** Event type used when the delivery does not say, or says it in an unusable form. */
export const unknownEventType = 'unknown';

/**
 * The delivery id and event type of a verified webhook, from where its scheme says the provider puts
 * them (src/webhooks/schemes/). The delivery id deduplicates, so it must be covered by the signature, or
 * anyone holding one signed body could replay it under fresh ids: a scheme's `signedId` (Stripe's event
 * `id`, Standard Webhooks' signed `webhook-id`…) is used as it is; otherwise the id is the SHA-256 of
 * `<source>:` + body (a resend of the same body is the same delivery) and the provider's unsigned id is
 * kept as `providerId` for tracing. A type outside the signature is routed by the first accepted copy.
 * `json` is the parsed body of `json-object` schemes. Throws BadRequestError (400) when an id header is
 * present but unusable.
 */
export function identifyDelivery(
  source: WebhookSource,
  request: WebhookRequest,
  json?: Readonly<Record<string, unknown>>,
): DeliveryIdentity {
  const scheme = schemes[source.scheme];
  const body = json ?? (scheme.body === 'json-object' ? jsonObjectBody(request.rawBody) : undefined);
  const { signedId, providerId, eventType } = scheme.identify(request, source, body);
  const identity: DeliveryIdentity = {
    deliveryId: signedId ?? contentDeliveryId(source.name, request.rawBody),
    eventType: eventType !== undefined && eventTypePattern.test(eventType) ? eventType : unknownEventType,
  };
  return signedId === undefined && providerId !== undefined ? { ...identity, providerId } : identity;
}

/** The fallback delivery id: hex SHA-256 of `<source>:` followed by the raw body bytes. */
export function contentDeliveryId(source: string, rawBody: string | Buffer): string {
  return createHash('sha256').update(`${source}:`).update(rawBody).digest('hex');
}
