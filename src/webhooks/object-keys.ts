/**
 * Where webhook objects live in the documents bucket. Everything is under `events/`, which triggers no
 * function (only `uploads/` does), so writing here can never loop.
 */

function datePath(iso: string): string {
  // receivedAt is an ISO-8601 UTC timestamp: its date part is the partition.
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

/** The archive of one delivery: `events/<source>/<yyyy>/<mm>/<dd>/<delivery id>.json` (UTC date received). */
export function archiveKey(source: string, deliveryId: string, receivedAt: string): string {
  return `events/${source}/${datePath(receivedAt)}/${deliveryId}.json`;
}

/** Prefix of every archived delivery of a source. */
export function archivePrefix(source: string): string {
  return `events/${source}/`;
}

/**
 * A body too large for the queue, stored before enqueueing: `events/_claims/<source>/<yyyy>/<mm>/<dd>/<id>.body`.
 * `_` is not allowed in source names, so claims never mix with a source's archive, and one prefix
 * suits a lifecycle rule.
 */
export function claimKey(source: string, deliveryId: string, receivedAt: string): string {
  return `events/_claims/${source}/${datePath(receivedAt)}/${deliveryId}.body`;
}

const archivePattern =
  /^events\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})\.json$/;

/** Parses an archive key back into its parts; undefined for any other key. */
export function parseArchiveKey(
  key: string,
): { source: string; date: string; deliveryId: string } | undefined {
  const match = archivePattern.exec(key);
  if (match === null) return undefined;
  return { source: match[1]!, date: `${match[2]}-${match[3]}-${match[4]}`, deliveryId: match[5]! };
}
