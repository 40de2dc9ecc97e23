import type { ReplayAnswer } from '../../api-types';
import { message } from '../dom';

/** What a replay did: how many matched and were queued again, and why any were not. */
export function replayNotice(answer: ReplayAnswer): HTMLParagraphElement {
  const skipped = answer.notReplayed;
  const reasons = skipped
    ? [
        skipped.archiveGone ? `${skipped.archiveGone} with their archive gone` : '',
        skipped.tooLarge ? `${skipped.tooLarge} too large for one message (npm run replay sends those)` : '',
      ].filter(Boolean)
    : [];
  return message(
    `Replay ${answer.replayId}: ${answer.matched} matched, ${answer.enqueued} queued again.${reasons.length ? ` Not replayed: ${reasons.join(', ')}.` : ''}`,
  );
}
