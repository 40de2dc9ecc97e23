import type { DeliveryAnswer, ReplayAnswer } from '../../api-types';
import { postJson, getJson } from '../api';
import { button, el, facts, shortTime, statusBadge, table } from '../dom';
import { routeHash } from '../router';
import { replayNotice } from './replay-notice';
import type { View } from './view';

const segment = (receipt: string) => encodeURIComponent(receipt);

/** One delivery: its facts, routed targets, attempts and archived payload, with a replay button. */
export const deliveryView: View = async ({ route, refresh }) => {
  const receipt = route.parameter ?? '';
  const { delivery, payload, payloadMissing } = await getJson<DeliveryAnswer>(
    `deliveries/${segment(receipt)}`,
  );
  const replay = button('Replay this delivery', async () => {
    const answer = await postJson<ReplayAnswer>(`deliveries/${segment(receipt)}/replay`, {});
    refresh(replayNotice(answer));
  });
  const targets = Object.entries(delivery.targets);
  return [
    el('p', {}, el('a', { href: routeHash('deliveries') }, '← Deliveries')),
    el('h2', {}, `Delivery ${delivery.id}`),
    facts([
      ['Status', statusBadge(delivery.status)],
      ['Source', delivery.source],
      ['Type', delivery.type],
      ['Delivery id', delivery.id],
      ['Provider id', delivery.providerId],
      ['Receipt', delivery.receipt],
      ['Received', shortTime(delivery.receivedAt)],
      ['Last update', shortTime(delivery.updatedAt)],
      ['Replay run', delivery.replay],
      ['Archive key', delivery.archiveKey],
    ]),
    el('div', { class: 'actions' }, replay),
    targets.length === 0
      ? el('p', { class: 'muted' }, 'No routed target yet.')
      : table(
          'Routed targets',
          ['Target', 'Outcome'],
          targets.map(([target, outcome]) => [target, statusBadge(outcome)]),
        ),
    delivery.attempts.length === 0
      ? el('p', { class: 'muted' }, 'No attempt yet.')
      : table(
          'Attempts (oldest first)',
          ['Started', 'Duration (ms)', 'Outcome', 'Error code', 'Receive count'],
          delivery.attempts.map((attempt) => [
            shortTime(attempt.at),
            String(attempt.durationMs),
            statusBadge(attempt.outcome),
            attempt.errorCode ?? '',
            attempt.receiveCount === undefined ? '' : String(attempt.receiveCount),
          ]),
        ),
    el('h3', {}, 'Payload'),
    ...(payload
      ? [
          facts([
            ['Content type', payload.contentType],
            ['Encoding', payload.encoding === 'base64' ? 'binary (base64)' : 'text'],
            ['Truncated', payload.truncated ? 'yes: only the start of the body is shown' : undefined],
          ]),
          Object.keys(payload.headers).length === 0
            ? null
            : table(
                'Kept headers',
                ['Header', 'Value'],
                Object.entries(payload.headers).map(([name, value]) => [name, value]),
              ),
          el('pre', { 'aria-label': 'Payload' }, payload.text),
        ]
      : [el('p', { class: 'muted' }, payloadMissing ?? 'No archived payload.')]),
  ];
};
