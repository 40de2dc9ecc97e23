import type { ObjectStorage } from '../../aws/storage/object-storage';
import { NotFoundError } from '../../errors';
import { parseWebhookArchive } from '../../webhooks/archive';
import type { DeliveryFilter, DeliveryHistory } from '../../webhooks/history/delivery-history';
import type { DeliveriesAnswer, DeliveryAnswer } from '../api-types';
import { payloadView } from './archived-payload';
import { DeliveryNotFoundError } from './errors';

/** The largest archive read into memory: well above the largest body the receiver accepts. */
export const MAX_ARCHIVE_BYTES = 16 * 1024 * 1024;

export interface DeliveriesQuery extends DeliveryFilter {
  readonly limit: number;
  readonly cursor?: string;
}

/** One page of delivery records, newest first (one history query). */
export async function listDeliveries(
  history: Pick<DeliveryHistory, 'list'>,
  query: DeliveriesQuery,
): Promise<DeliveriesAnswer> {
  const { limit, cursor, ...filter } = query;
  const page = await history.list(filter, { limit, ...(cursor === undefined ? {} : { cursor }) });
  return { items: page.items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
}

export interface DeliveryDetailDependencies {
  readonly history: Pick<DeliveryHistory, 'get'>;
  readonly archive: Pick<ObjectStorage, 'getBytes'>;
}

/**
 * One delivery with its attempts and its archived payload (one history read, one S3 GET of at most
 * MAX_ARCHIVE_BYTES). Throws DeliveryNotFoundError (404) for an unknown receipt; a payload that cannot be
 * shown is not an error: `payloadMissing` says why.
 */
export async function deliveryDetail(
  deps: DeliveryDetailDependencies,
  receipt: string,
): Promise<DeliveryAnswer> {
  const delivery = await deps.history.get(receipt);
  if (delivery === undefined) throw new DeliveryNotFoundError(receipt);
  if (delivery.archiveKey === undefined) {
    return {
      delivery,
      payloadMissing: 'Not archived yet: the worker archives a delivery when it first processes it',
    };
  }
  let bytes: Buffer;
  try {
    bytes = await deps.archive.getBytes(delivery.archiveKey, { range: { start: 0, end: MAX_ARCHIVE_BYTES } });
  } catch (error) {
    if (error instanceof NotFoundError) {
      return {
        delivery,
        payloadMissing: 'The archive is gone (expired by the bucket lifecycle, or deleted)',
      };
    }
    throw error;
  }
  if (bytes.length > MAX_ARCHIVE_BYTES) {
    return {
      delivery,
      payloadMissing: `The archive is larger than ${MAX_ARCHIVE_BYTES} bytes: read it from S3`,
    };
  }
  const archive = parseWebhookArchive(bytes.toString('utf8'));
  if (archive === undefined)
    return { delivery, payloadMissing: 'The archived object is not a delivery archive' };
  return { delivery, payload: payloadView(archive) };
}
