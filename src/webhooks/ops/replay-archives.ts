import { randomUUID } from 'node:crypto';
import type { ObjectStorage } from '../../aws/storage/object-storage';
import { NotFoundError } from '../../errors';
import { parseWebhookArchive } from '../archive';
import { enqueueWebhook, queueMessageLimitBytes, type EnqueueDependencies } from '../enqueue';
import { fitsInBytes, serialiseWebhookMessage } from '../message';
import { recordReplayCopy, replayCopy, type ReplayCopyOptions } from './replay';

export interface ReplayArchivesOptions extends ReplayCopyOptions {
  /** Archive keys (`events/<source>/…/<id>.json`), each replayed once even when listed twice. */
  readonly keys: readonly string[];
  readonly storage: Pick<ObjectStorage, 'getBytes'>;
  /**
   * How copies are queued. Without `storeClaim` (a caller that may not write claim checks, which only the
   * receiver writes), a copy too large for one message is not sent and is reported in `tooLarge`.
   */
  readonly enqueue: Omit<EnqueueDependencies, 'storeClaim'> &
    Partial<Pick<EnqueueDependencies, 'storeClaim'>>;
}

export interface ReplayArchivesResult {
  readonly enqueued: number;
  /** Keys whose archive is gone or is not a delivery archive. */
  readonly missing: readonly string[];
  /** Keys whose copy needs a claim check that this caller may not write (see `enqueue`). */
  readonly tooLarge: readonly string[];
}

/**
 * A new replay run's id: `replay-<yyyymmddhhmmss>-<8 hex>`, sortable by time, unique per run, and within the
 * queue message's `replay` field (`[A-Za-z0-9._:-]{1,64}`).
 */
export function newReplayId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14);
  return `replay-${stamp}-${randomUUID().slice(0, 8)}`;
}

/**
 * Re-enqueues the deliveries archived under `keys` (one S3 GET and one SQS send each, one at a time) with
 * `replayId`, so the worker processes each again exactly once for this run, each copy with its own receipt
 * recorded `queued` in the delivery history (one write; a failed one is logged): the replay of chosen
 * deliveries (the console's), where replayArchivedDeliveries lists a source's archive. An archive that is
 * gone or unreadable is reported in `missing`, not thrown; any other failure rejects (what was enqueued
 * before it stays enqueued).
 */
export async function replayArchives(options: ReplayArchivesOptions): Promise<ReplayArchivesResult> {
  let enqueued = 0;
  const missing: string[] = [];
  const tooLarge: string[] = [];
  const { storeClaim, maxMessageBytes = queueMessageLimitBytes } = options.enqueue;
  for (const key of new Set(options.keys)) {
    const archive = await readArchive(options.storage, key);
    if (archive === undefined) {
      missing.push(key);
      continue;
    }
    const message = replayCopy(archive, options);
    if (storeClaim === undefined && !fitsInBytes(serialiseWebhookMessage(message), maxMessageBytes)) {
      tooLarge.push(key);
      continue;
    }
    await enqueueWebhook(message, { ...options.enqueue, storeClaim: storeClaim ?? refuseClaim });
    await recordReplayCopy(message.meta, options);
    enqueued++;
  }
  return { enqueued, missing, tooLarge };
}

/** The claim store of a caller that may not write claims (reached only if SQS refuses the text as is). */
async function refuseClaim(): Promise<void> {
  throw new Error('This caller may not store claim checks: replay the delivery with npm run replay');
}

async function readArchive(storage: Pick<ObjectStorage, 'getBytes'>, key: string) {
  try {
    return parseWebhookArchive((await storage.getBytes(key)).toString('utf8'));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
