import type { DeadLettersAnswer, QueuesAnswer, RedriveAnswer } from '../../api-types';
import { getJson, postJson } from '../api';
import { button, el, message, shortTime, table } from '../dom';
import { routeHash } from '../router';
import type { View } from './view';

/** Every queue with its depth, in-flight count and dead letters. */
export const queuesView: View = async () => {
  const { queues } = await getJson<QueuesAnswer>('queues');
  return [
    el('h2', {}, 'Queues'),
    table(
      'Queues and their dead-letter queues',
      ['Queue', 'Visible', 'In flight', 'Dead letters', ''],
      queues.map((queue) => [
        queue.name,
        String(queue.visible),
        String(queue.inFlight),
        String(queue.deadLetters),
        el('a', { href: routeHash('queue', queue.name) }, `Dead letters of ${queue.name}`),
      ]),
    ),
  ];
};

const redriveNotice = (answer: RedriveAnswer) =>
  message(
    `Redrive: ${answer.moved} moved back to the queue${answer.failed ? `, ${answer.failed} failed` : ''}.`,
    answer.failed ? 'error' : 'info',
  );

const summaryText = (summary: Readonly<Record<string, string>> | undefined) =>
  summary
    ? Object.entries(summary)
        .map(([name, value]) => `${name}: ${value}`)
        .join(', ')
    : '';

/** One queue's dead letters (a peek: they stay there), with redrive of one message or of all. */
export const deadLettersView: View = async ({ route, refresh }) => {
  const name = route.parameter ?? '';
  const path = `queues/${encodeURIComponent(name)}`;
  const { messages } = await getJson<DeadLettersAnswer>(`${path}/dead-letters`);
  const redrive = async (body: { messageId?: string }) =>
    refresh(redriveNotice(await postJson<RedriveAnswer>(`${path}/redrive`, body)));
  return [
    el('p', {}, el('a', { href: routeHash('queues') }, '← Queues')),
    el('h2', {}, `Dead letters of ${name}`),
    messages.length === 0
      ? el('p', { class: 'muted' }, 'The dead-letter queue is empty.')
      : table(
          `${messages.length} dead letters`,
          ['Message id', 'Sent', 'Receives', 'Failure', 'About', 'Body (start)', ''],
          messages.map((dead) => [
            dead.messageId,
            shortTime(dead.sentAt),
            dead.receiveCount === undefined ? '' : String(dead.receiveCount),
            dead.failureCode ?? '',
            summaryText(dead.summary),
            el('pre', {}, dead.preview),
            button('Redrive', () => redrive({ messageId: dead.messageId }), {
              'aria-label': `Redrive message ${dead.messageId}`,
            }),
          ]),
        ),
    messages.length === 0
      ? null
      : el(
          'div',
          { class: 'actions' },
          button('Redrive all', async () => {
            // A mass action (up to 500 messages back on their queue): asked once more.
            if (window.confirm(`Redrive every message of this DLQ (up to 500) to its queue?`))
              await redrive({});
          }),
        ),
  ];
};
