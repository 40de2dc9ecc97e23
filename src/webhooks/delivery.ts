import { createHash } from 'node:crypto';
import { BadRequestError } from '../errors';
import { readTopLevelStrings } from './json-fields';
import type { WebhookRequest } from './signature';
import type { WebhookSource } from './sources';

/** What identifies one delivery: the provider's id (or a content hash) and its event type. */
export interface DeliveryIdentity {
  readonly deliveryId: string;
  readonly eventType: string;
}

/** Delivery ids end up in S3 keys and idempotency keys: a conservative alphabet, bounded length. */
const deliveryIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const eventTypePattern = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;

/** Event type used when the delivery does not say, or says it in an unusable form. */
export const unknownEventType = 'unknown';

/** True for a string usable as a delivery id (`[A-Za-z0-9][A-Za-z0-9._:-]{0,127}`). */
export function isValidDeliveryId(id: string): boolean {
  return deliveryIdPattern.test(id);
}

/**
 * The delivery id and event type of a verified webhook: the provider's own id (`X-GitHub-Delivery`,
 * Stripe event `id`, `webhook-id`, or the configured id header of an `hmac-sha256` source), else the
 * SHA-256 of `<source>:` + body, so an identical resend is recognised as the same delivery. The type
 * comes from `X-GitHub-Event`, the body's top-level `type` (Stripe, Standard Webhooks, generic), or the
 * configured event header. Throws BadRequestError (400) when an id header is present but unusable.
 */
export function identifyDelivery(source: WebhookSource, request: WebhookRequest): DeliveryIdentity {
  const { headers } = request;
  switch (source.scheme) {
    case 'github':
      return identity(source, request, headerId(headers, 'x-github-delivery'), headers['x-github-event']);
    case 'stripe': {
      const { id, type } = bodyFields(request, ['id', 'type']);
      return identity(source, request, id !== undefined && isValidDeliveryId(id) ? id : undefined, type);
    }
    case 'standard':
      return identity(
        source,
        request,
        headerId(headers, 'webhook-id') ?? headerId(headers, 'svix-id'),
        bodyFields(request, ['type']).type,
      );
    case 'hmac-sha256': {
      const id = source.idHeader === undefined ? undefined : headerId(headers, source.idHeader);
      const type =
        source.eventHeader === undefined ? bodyFields(request, ['type']).type : headers[source.eventHeader];
      return identity(source, request, id, type);
    }
  }
}

function identity(
  source: WebhookSource,
  request: WebhookRequest,
  id: string | undefined,
  type: string | undefined,
): DeliveryIdentity {
  return {
    deliveryId: id ?? contentDeliveryId(source.name, request.rawBody),
    eventType: type !== undefined && eventTypePattern.test(type) ? type : unknownEventType,
  };
}

function headerId(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === '') return undefined;
  if (!deliveryIdPattern.test(value))
    throw new BadRequestError(`The ${name} header is not a usable delivery id`);
  return value;
}

function bodyFields(request: WebhookRequest, names: readonly string[]): Record<string, string | undefined> {
  const text = typeof request.rawBody === 'string' ? request.rawBody : request.rawBody.toString('utf8');
  return readTopLevelStrings(text, names);
}

/** The fallback delivery id: hex SHA-256 of `<source>:` followed by the raw body bytes. */
export function contentDeliveryId(source: string, rawBody: string | Buffer): string {
  return createHash('sha256').update(`${source}:`).update(rawBody).digest('hex');
}
