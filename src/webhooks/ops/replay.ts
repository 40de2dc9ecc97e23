import { randomUUID } from 'node:crypto';
import type { ObjectStorage } from '../../aws/storage/object-storage';
import { AppError } from '../../errors';
import { metaFromArchive, parseWebhookArchive, type WebhookArchive } from '../archive';
import { enqueueWebhook, type EnqueueDependencies } from '../enqueue';
import type { WebhookMessage, WebhookMessageMeta } from '../message';
import type { DeliveryHistory } from '../history/delivery-history';
import { receivedFacts, writeHistory } from '../history/history-writes';
import { archivePrefix, parseArchiveKey } from '../object-keys';

export interface ReplayFilter {
  readonly source: string;
  /** Inclusive lower bound on receivedAt. */
  readonly since?: Date;
  /** Exclusive upper bound on receivedAt. */
  readonly until?: Date;
  readonly id?: string;
}

export interface ReplayOptions extends ReplayFilter {
  readonly storage: Pick<ObjectStorage, 'list' | 'listAll' | 'getBytes'>;
  readonly enqueue: EnqueueDependencies;
  readonly dryRun: boolean;
  /** Distinguishes this run: each archived delivery is processed again once per run. */
  readonly replayId: string;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Where each replayed copy is recorded `queued` (its own receipt, `replay` set, received now). */
  readonly history: Pick<DeliveryHistory, 'recordReceived'>;
  /** The receipt id of each replayed copy; default a random UUID. */
  readonly newReceipt?: () => string;
  readonly now?: () => Date;
}

export interface ReplayProgress {
  readonly listed: number;
  readonly matched: number;
  readonly enqueued: number;
  readonly skipped: number;
}

/** The archive holds no delivery of the source at all: a mistyped or unknown name, never "0 replayed". */
export class UnknownReplaySourceError extends AppError {
  constructor(readonly source: string) {
    super(
      'UNKNOWN_SOURCE',
      `No delivery of source "${source}" was ever archived (nothing under ${archivePrefix(source)}): check --source`,
      404,
      false,
    );
  }
}

/** The UTC days from `since` to `until` (both optional) as `YYYY/MM/DD` path parts, or undefined for "all". */
function dayPrefixes(filter: ReplayFilter): string[] | undefined {
  if (filter.since === undefined) return undefined;
  const end = filter.until ?? new Date();
  const days: string[] = [];
  const day = new Date(
    Date.UTC(filter.since.getUTCFullYear(), filter.since.getUTCMonth(), filter.since.getUTCDate()),
  );
  while (day <= end && days.length <= 366) {
    days.push(day.toISOString().slice(0, 10).replace(/-/g, '/'));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days.length > 366 ? undefined : days;
}

/**
 * Re-enqueues archived deliveries of one source (optionally within [since, until) by received time, or one
 * delivery id) with a replay id, so the worker processes each again exactly once for this run (it would
 * otherwise skip them as duplicates). Each copy gets its own receipt and is recorded `queued` in the
 * delivery history (a failed history write is logged, and the replay goes on). Lists one day prefix at a time when `since` bounds the range. With
 * `dryRun` nothing is sent. Resolves with the final counts; throws UnknownReplaySourceError when the archive
 * holds nothing of the source (whatever the filters), so a mistyped name is not reported as "0 replayed".
 */
export async function replayArchivedDeliveries(options: ReplayOptions): Promise<ReplayProgress> {
  const progress = { listed: 0, matched: 0, enqueued: 0, skipped: 0 };
  const anyArchived = await options.storage.list(archivePrefix(options.source), { limit: 1 });
  if (anyArchived.items.length === 0) throw new UnknownReplaySourceError(options.source);
  const prefixes = dayPrefixes(options)?.map((day) => `${archivePrefix(options.source)}${day}/`) ?? [
    archivePrefix(options.source),
  ];
  for (const prefix of prefixes) {
    for await (const item of options.storage.listAll(prefix)) {
      progress.listed++;
      const parsedKey = parseArchiveKey(item.key);
      if (
        parsedKey === undefined ||
        parsedKey.source !== options.source ||
        (options.id !== undefined && parsedKey.deliveryId !== options.id)
      )
        continue;
      const archive = parseWebhookArchive((await options.storage.getBytes(item.key)).toString('utf8'));
      const receivedAt = archive === undefined ? Number.NaN : Date.parse(archive.receivedAt);
      if (archive === undefined || Number.isNaN(receivedAt)) {
        progress.skipped++;
      } else if (
        (options.since === undefined || receivedAt >= options.since.getTime()) &&
        (options.until === undefined || receivedAt < options.until.getTime())
      ) {
        progress.matched++;
        if (!options.dryRun) {
          const copy = replayCopy(archive, options);
          await enqueueWebhook(copy, options.enqueue);
          progress.enqueued++;
          await recordReplayCopy(copy.meta, options);
        }
      }
      options.onProgress?.({ ...progress });
    }
  }
  return progress;
}

/** What a replay run needs to make and record a copy of an archived delivery. */
export type ReplayCopyOptions = Pick<ReplayOptions, 'replayId' | 'history' | 'newReceipt' | 'now'>;

/** The queue message of a replayed copy: the archived delivery with the run's id and a receipt of its own. */
export function replayCopy(archive: WebhookArchive, options: ReplayCopyOptions): WebhookMessage {
  return {
    meta: {
      ...metaFromArchive(archive),
      replay: options.replayId,
      receipt: (options.newReceipt ?? randomUUID)(),
    },
    body: archive.body,
  };
}

/**
 * Records a queued copy `queued` in the delivery history (a failed write is logged; the replay goes on). Its
 * receivedAt there is when it was queued again (its meta keeps the original's, which names its archive):
 * newest-first listings show the replay where it happened.
 */
export async function recordReplayCopy(meta: WebhookMessageMeta, options: ReplayCopyOptions): Promise<void> {
  const facts = { ...receivedFacts(meta), receivedAt: (options.now?.() ?? new Date()).toISOString() };
  await writeHistory(() => options.history.recordReceived(facts), facts);
}
