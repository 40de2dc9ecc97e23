import { AppError } from '../../errors';
import { deduplicationSeconds } from '../idempotency';

/**
 * The longest a delivery waits on the queue for a pause: a day less than the deduplication record lives
 * (7 days), so that a partly done delivery is never redone on the targets that already had it, and well
 * within the 19 days a claim-checked body is kept.
 */
export const maxPausedWaitSeconds = deduplicationSeconds - 24 * 60 * 60;

/**
 * A delivery held by a pause for longer than maxPausedWaitSeconds: not retryable, so it goes to the DLQ at
 * once (its 14 days' retention), to be redriven once the pause is over; nothing is lost or redone.
 */
export class PausedTooLongError extends AppError {
  constructor(waitedSeconds: number) {
    super(
      'PAUSED_TOO_LONG',
      `The delivery waited ${Math.round(waitedSeconds)} s for a pause (at most ${maxPausedWaitSeconds} s): moved to the DLQ, redrive it after resuming`,
      409,
      false,
    );
  }
}
