import { logger } from '../../observability/logger';
import { pauseSet, type PauseSet } from './pause-scope';
import type { WebhookControls } from './webhook-controls';

/** Reads the current pauses; rejects (retryable) only when they were never read. */
export type CurrentPauses = () => Promise<PauseSet>;

/**
 * The worker's view of the pauses: read at most once per `maxAgeMs` (concurrent records share one read),
 * so a pause takes effect within that time. When a refresh fails, the last pauses read stay in force
 * (a store hiccup neither resumes a paused source nor stops the others); only a worker that never read
 * them fails its records, which are then retried.
 */
export function cachedPauses(
  controls: Pick<WebhookControls, 'listPauses'>,
  options: { readonly maxAgeMs: number; readonly nowMs?: () => number },
): CurrentPauses {
  const nowMs = options.nowMs ?? Date.now;
  let current: { set: PauseSet; readAtMs: number } | undefined;
  let reading: Promise<PauseSet> | undefined;
  return async () => {
    if (current !== undefined && nowMs() - current.readAtMs < options.maxAgeMs) return current.set;
    reading ??= controls
      .listPauses()
      .then((pauses) => {
        current = { set: pauseSet(pauses), readAtMs: nowMs() };
        return current.set;
      })
      .catch((error: unknown) => {
        if (current === undefined) throw error;
        logger.warn('Reading the webhook pauses failed: the last ones read stay in force', {
          error: error as Error,
        });
        return current.set;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}
