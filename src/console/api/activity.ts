import type { DeliveryHistory, MinuteCount } from '../../webhooks/history/delivery-history';
import type { ActivityAnswer } from '../api-types';

/** The longest window the chart shows: one day of minutes. */
export const MAX_ACTIVITY_MINUTES = 24 * 60;

const MINUTE_MS = 60_000;

/**
 * Deliveries and failures per minute over the last `minutes` whole minutes up to now (the current,
 * partial minute included): exactly `minutes` entries, oldest first, a minute without deliveries counted 0.
 * One history query (history.countsPerMinute).
 */
export async function activityView(
  history: Pick<DeliveryHistory, 'countsPerMinute'>,
  minutes: number,
  now: Date,
): Promise<ActivityAnswer> {
  const until = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const since = until - minutes * MINUTE_MS;
  const counted = new Map<number, MinuteCount>();
  for (const count of await history.countsPerMinute(new Date(since), new Date(until))) {
    counted.set(Date.parse(count.minute), count);
  }
  return {
    minutes: Array.from({ length: minutes }, (_, index) => {
      const minute = since + index * MINUTE_MS;
      const count = counted.get(minute);
      return {
        minute: new Date(minute).toISOString(),
        deliveries: count?.deliveries ?? 0,
        failures: count?.failures ?? 0,
      };
    }),
  };
}
