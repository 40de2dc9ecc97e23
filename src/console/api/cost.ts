import { MANIFESTS_PREFIX } from '../../documents/document-keys';
import type { DocumentManifest } from '../../documents/manifest';
import type { ObjectStorage } from '../../aws/storage/object-storage';
import type { DeliveryHistory } from '../../webhooks/history/delivery-history';
import type { CostAnswer } from '../api-types';

/** The window of traffic the estimate is for: about a month. */
export const COST_WINDOW_DAYS = 30;
/**
 * Receipts counted before the rest of the window is extrapolated from the days counted (newest first): each
 * day's count reads every receipt of that day, so 30 busy days counted in full ran past the function's
 * timeout. With the history's own bound per count, one answer reads at most about twice this many.
 */
export const MAX_COUNTED_WEBHOOKS = 200_000;
/** Manifest keys listed to count documents (10 list requests at most); a larger store is counted as this many. */
export const MAX_COUNTED_DOCUMENTS = 10_000;
/** Manifests read to learn the documents' mean size. */
export const SIZE_SAMPLE = 20;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The cost model's MB (src/cost: 2^20 bytes). */
const MB = 2 ** 20;

export type Traffic = CostAnswer['traffic'];

export interface CostDependencies {
  readonly history: Pick<DeliveryHistory, 'countsPerMinute'>;
  readonly storage: Pick<ObjectStorage, 'listAll' | 'getBytes'>;
  /** The cost model's monthly estimate for a traffic (src/cost). */
  readonly estimate: (traffic: Traffic) => unknown;
}

/**
 * The monthly cost estimate for the traffic seen in the last 30 days: webhooks from the delivery history's
 * per-minute counts (one-day counts, newest first, each reading that day's receipts from the index; past
 * MAX_COUNTED_WEBHOOKS the days not counted are taken to be like those counted), documents from the manifests written in the window (S3 list, at most
 * MAX_COUNTED_DOCUMENTS keys) and their mean size from the SIZE_SAMPLE newest of them (one GET each).
 */
export async function costView(deps: CostDependencies, now: Date): Promise<CostAnswer> {
  const since = new Date(now.getTime() - COST_WINDOW_DAYS * DAY_MS);
  let counted = 0;
  let days = 0;
  // One day per query: the history counts at most 24 h at a time (it reads every receipt of the span).
  while (days < COST_WINDOW_DAYS && counted < MAX_COUNTED_WEBHOOKS) {
    const until = new Date(now.getTime() - days * DAY_MS);
    const counts = await deps.history.countsPerMinute(new Date(until.getTime() - DAY_MS), until);
    counted += counts.reduce((sum, minute) => sum + minute.deliveries, 0);
    days++;
  }
  const webhooks = Math.round((counted * COST_WINDOW_DAYS) / days);
  const recent: { key: string; at: number }[] = [];
  let listed = 0;
  for await (const item of deps.storage.listAll(MANIFESTS_PREFIX)) {
    if (item.lastModified >= since) recent.push({ key: item.key, at: item.lastModified.getTime() });
    if (++listed >= MAX_COUNTED_DOCUMENTS) break;
  }
  const sample = recent.sort((a, b) => b.at - a.at).slice(0, SIZE_SAMPLE);
  const sizes = await Promise.all(sample.map((item) => manifestSize(deps.storage, item.key)));
  const known = sizes.filter((size): size is number => size !== undefined);
  const meanBytes = known.length === 0 ? 0 : known.reduce((sum, size) => sum + size, 0) / known.length;
  const traffic = {
    webhooks,
    documents: recent.length,
    documentMb: Math.round((meanBytes / MB) * 1000) / 1000,
  };
  return { traffic, estimate: deps.estimate(traffic) };
}

async function manifestSize(
  storage: Pick<ObjectStorage, 'getBytes'>,
  key: string,
): Promise<number | undefined> {
  try {
    const { size } = JSON.parse((await storage.getBytes(key)).toString('utf8')) as Partial<DocumentManifest>;
    return typeof size === 'number' ? size : undefined;
  } catch {
    return undefined;
  }
}
