import { createHash } from 'node:crypto';
import { BadRequestError } from '../errors';
import { readTopLevelStrings } from './json-fields';
import type { WebhookRequest } from './signature';
import type { WebhookSource } from './sources';

/**
 * What identifies one delivery: the id it is deduplicated by, its event type, and — when the provider's
 * own id is not covered by the signature, so cannot be trusted to deduplicate — that id, for tracing.
 */
export interface DeliveryIdentity {
  readonly deliveryId: string;
  readonly eventType: string;
  readonly providerId?: string;
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
 * The delivery id and event type of a verified webhook. The delivery id deduplicates, so it must be
 * covered by the signature, or anyone holding one signed body could replay it under fresh ids:
 * Stripe's event `id` (in the signed body) and Standard Webhooks' `webhook-id` (signed with the body)
 * are used as they are. GitHub signs only the body, not `X-GitHub-Delivery`, and the generic
 * `hmac-sha256` scheme signs only the body, not its id header: for those the id is the SHA-256 of
 * `<source>:` + body (a resend of the same body is the same delivery) and the provider's id is kept as
 * `providerId` for tracing. The type comes from `X-GitHub-Event`, the body's top-level `type` (Stripe,
 * Standard Webhooks, generic), or the configured event header; where it is not signed, the worker routes
 * by the first accepted copy's type. Throws BadRequestError (400) when an id header is present but unusable.
 */
export function identifyDelivery(source: WebhookSource, request: WebhookRequest): DeliveryIdentity {
  const { headers } = request;
  switch (source.scheme) {
    case 'github':
      return unsignedIdIdentity(
        source,
        request,
        headerId(headers, 'x-github-delivery'),
        headers['x-github-event'],
      );
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
      return unsignedIdIdentity(source, request, id, type);
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

/** Deduplicated by content: the provider's id, outside the signature, is only carried for tracing. */
function unsignedIdIdentity(
  source: WebhookSource,
  request: WebhookRequest,
  providerId: string | undefined,
  type: string | undefined,
): DeliveryIdentity {
  const signed = identity(source, request, undefined, type);
  return providerId === undefined ? signed : { ...signed, providerId };
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
