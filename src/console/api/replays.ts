import type { DeliveryFilter, DeliveryHistory } from '../../webhooks/history/delivery-history';
import type { ReplayArchivesResult } from '../../webhooks/ops/replay-archives';
import type { ReplayAnswer } from '../api-types';
import { DeliveryNotFoundError, ReplayRefusedError } from './errors';

/** The most delivery records one console replay may match; more is `npm run replay`'s job (it pages the archive). */
export const MAX_REPLAY_DELIVERIES = 500;

/** History pages read to find them (100 records each). */
const PAGE_SIZE = 100;
/**
 * The most history pages one replay reads: enough for MAX_REPLAY_DELIVERIES, plus one to see there are no
 * more. A page may hold few records and still have a cursor (a filtered page stops after 64 index queries),
 * so without this bound a wide span (`since` years back) searched day by day past the function's timeout.
 */
export const MAX_REPLAY_PAGES = Math.ceil(MAX_REPLAY_DELIVERIES / PAGE_SIZE) + 1;

export interface ReplaysDependencies {
  readonly history: Pick<DeliveryHistory, 'get' | 'list'>;
  /** Re-enqueues the archives (replayArchives bound to the bucket and the webhooks queue). */
  readonly replay: (keys: readonly string[], replayId: string) => Promise<ReplayArchivesResult>;
  readonly newReplayId: () => string;
}

/**
 * Replays one delivery from its archive: DeliveryNotFoundError (404) for an unknown receipt, NOT_ARCHIVED
 * (409) while the worker has not archived it yet. One history read, one S3 GET, one SQS send.
 */
export async function replayDelivery(deps: ReplaysDependencies, receipt: string): Promise<ReplayAnswer> {
  const delivery = await deps.history.get(receipt);
  if (delivery === undefined) throw new DeliveryNotFoundError(receipt);
  if (delivery.archiveKey === undefined) {
    throw new ReplayRefusedError(
      'NOT_ARCHIVED',
      'The delivery is not archived yet: replay it once the worker has processed it',
    );
  }
  return run(deps, [delivery.archiveKey], 1);
}

/**
 * Replays every archived delivery the history filter matches, each archive once (the receipts of one
 * delivery — duplicates, earlier replays — share it). Refuses (400 TOO_MANY_DELIVERIES) a filter that
 * matches more than MAX_REPLAY_DELIVERIES records, and (400 FILTER_TOO_WIDE) one whose span needs more than
 * MAX_REPLAY_PAGES history pages, before enqueueing anything. Then one S3 GET and one SQS send per archive.
 */
export async function replayMatching(
  deps: ReplaysDependencies,
  filter: DeliveryFilter,
): Promise<ReplayAnswer> {
  const keys = new Set<string>();
  let matched = 0;
  let cursor: string | undefined;
  let pages = 0;
  do {
    if (++pages > MAX_REPLAY_PAGES) {
      throw new ReplayRefusedError(
        'FILTER_TOO_WIDE',
        `The filter's span takes more than ${MAX_REPLAY_PAGES} history pages to search: narrow since/until, or use npm run replay`,
      );
    }
    const page = await deps.history.list(filter, {
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const record of page.items) {
      matched++;
      if (record.archiveKey !== undefined) keys.add(record.archiveKey);
    }
    if (matched > MAX_REPLAY_DELIVERIES) {
      throw new ReplayRefusedError(
        'TOO_MANY_DELIVERIES',
        `The filter matches more than ${MAX_REPLAY_DELIVERIES} deliveries: narrow it, or use npm run replay`,
      );
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return run(deps, [...keys], matched);
}

async function run(
  deps: ReplaysDependencies,
  keys: readonly string[],
  matched: number,
): Promise<ReplayAnswer> {
  const replayId = deps.newReplayId();
  const { enqueued, missing, tooLarge } = await deps.replay(keys, replayId);
  return {
    replayId,
    matched,
    enqueued,
    ...(missing.length + tooLarge.length > 0
      ? { notReplayed: { archiveGone: missing.length, tooLarge: tooLarge.length } }
      : {}),
  };
}
