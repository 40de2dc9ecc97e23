import type { ActivityAnswer, DeliveriesAnswer, ReplayAnswer } from '../../api-types';
import { deliveryStatuses, type DeliveryRecord } from '../../../webhooks/history/delivery-history';
import { ApiError, getJson, postJson } from '../api';
import { activityChart } from '../chart';
import { button, el, field, form, message, shortTime, statusBadge, table } from '../dom';
import { routeHash } from '../router';
import { fromLocalInput, toLocalInput } from '../time-input';
import { replayNotice } from './replay-notice';
import type { View } from './view';

const FILTERS = ['source', 'type', 'status', 'since', 'until'] as const;

function row(delivery: DeliveryRecord) {
  return [
    shortTime(delivery.receivedAt),
    delivery.source,
    delivery.type,
    el('a', { href: routeHash('delivery', delivery.receipt) }, delivery.id),
    statusBadge(delivery.status),
    String(delivery.attempts.length),
    delivery.replay ? `replay ${delivery.replay}` : '',
  ];
}

/** Deliveries, newest first, filtered by the route's query; a chart of the last hour; replay of the set. */
export const deliveriesView: View = async ({ route, refresh }) => {
  const filter = Object.fromEntries(
    FILTERS.map((name) => [name, route.query.get(name) ?? undefined] as const),
  ) as Record<(typeof FILTERS)[number], string | undefined>;
  const [activity, page] = await Promise.all([
    // The chart is an extra: when its count is refused (too many deliveries to count), the list still shows.
    getJson<ActivityAnswer>('activity', { minutes: '60' }).catch((error: unknown) =>
      error instanceof ApiError ? error : Promise.reject(error),
    ),
    getJson<DeliveriesAnswer>('deliveries', { ...filter, limit: '50' }),
  ]);

  const filters = form(
    'Filter deliveries',
    [
      field('Source', 'source', filter.source ?? ''),
      field('Type', 'type', filter.type ?? ''),
      field('Status', 'status', filter.status ?? '', ['', ...deliveryStatuses]),
      field('Since', 'since', toLocalInput(filter.since), undefined, 'datetime-local'),
      field('Until', 'until', toLocalInput(filter.until), undefined, 'datetime-local'),
    ],
    'Filter',
    (values) => {
      const query: Record<string, string> = {};
      for (const name of FILTERS) {
        const value = values[name];
        if (value) query[name] = name === 'since' || name === 'until' ? fromLocalInput(value) : value;
      }
      location.hash = routeHash('deliveries', undefined, query);
    },
  );

  const list = table(
    'Deliveries (newest first)',
    ['Received', 'Source', 'Type', 'Delivery id', 'Status', 'Attempts', 'Replay'],
    page.items.map(row),
  );
  let cursor = page.cursor;
  const older = button('Older', async () => {
    const next = await getJson<DeliveriesAnswer>('deliveries', { ...filter, limit: '50', cursor });
    const body = list.tBodies[0]!;
    for (const delivery of next.items)
      body.append(el('tr', {}, ...row(delivery).map((cell) => el('td', {}, cell))));
    cursor = next.cursor;
    older.hidden = cursor === undefined;
  });
  older.hidden = cursor === undefined;

  const filtered = FILTERS.some((name) => filter[name] !== undefined);
  const replayAll = button(
    filtered ? 'Replay every matching delivery' : 'Replay every delivery',
    async () => {
      // A mass action (up to 500 deliveries processed again): asked once more.
      if (!window.confirm(`Replay ${filtered ? 'every matching delivery' : 'every delivery'} (up to 500)?`))
        return;
      const answer = await postJson<ReplayAnswer>('replays', filter);
      refresh(replayNotice(answer));
    },
  );

  return [
    el('h2', {}, 'Deliveries'),
    activity instanceof ApiError
      ? message(`No chart of the last hour: ${activity.message}`, 'error')
      : activityChart(activity.minutes),
    filters,
    page.items.length === 0 ? el('p', { class: 'muted' }, 'No delivery matches.') : list,
    el('div', { class: 'actions' }, older, replayAll),
  ];
};
