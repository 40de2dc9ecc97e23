/*
 * Small in-memory stand-ins for the ports the console's views read: the delivery history, the pause
 * controls and the few object-storage reads. Real adapters are tested in their own suites and, with the
 * whole console function, in test/integration/console.
 */
import { validPauseScope } from '../../../src/webhooks/controls/pause-scope';
import type { ListItem, ObjectStorage } from '../../../src/aws/storage/object-storage';
import { NotFoundError } from '../../../src/errors';
import type { Pause, PauseScope, WebhookControls } from '../../../src/webhooks/controls/webhook-controls';
import type {
  DeliveryFilter,
  DeliveryHistory,
  DeliveryRecord,
  MinuteCount,
  ReceivedDeliveryFacts,
} from '../../../src/webhooks/history/delivery-history';

export function deliveryRecord(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    receipt: 'r-1',
    source: 'github',
    type: 'push',
    id: 'd-1',
    receivedAt: '2026-12-06T09:00:00.000Z',
    status: 'processed',
    attempts: [{ at: '2026-12-06T09:00:01.000Z', durationMs: 12, outcome: 'processed', receiveCount: 1 }],
    targets: { 'webhook-sample-downstream': 'invoked' },
    updatedAt: '2026-12-06T09:00:01.000Z',
    ...overrides,
  };
}

/** A history over `records` (newest first by receivedAt); the cursor is the index of the next record. */
export function memoryHistory(
  records: DeliveryRecord[] = [],
  counts: MinuteCount[] = [],
): DeliveryHistory & {
  listCalls: DeliveryFilter[];
  countCalls: [Date, Date][];
  received: ReceivedDeliveryFacts[];
} {
  const listCalls: DeliveryFilter[] = [];
  const received: ReceivedDeliveryFacts[] = [];
  const countCalls: [Date, Date][] = [];
  const matches = (record: DeliveryRecord, filter: DeliveryFilter) =>
    (filter.source === undefined || record.source === filter.source) &&
    (filter.type === undefined || record.type === filter.type) &&
    (filter.status === undefined || record.status === filter.status) &&
    (filter.since === undefined || Date.parse(record.receivedAt) >= filter.since.getTime()) &&
    (filter.until === undefined || Date.parse(record.receivedAt) < filter.until.getTime());
  return {
    listCalls,
    countCalls,
    received,
    recordReceived: async (facts) => void received.push(facts),
    recordAttempt: async () => undefined,
    get: async (receipt) => records.find((record) => record.receipt === receipt),
    list: async (filter, page) => {
      listCalls.push(filter);
      const matched = records
        .filter((record) => matches(record, filter))
        .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
      const start = page.cursor === undefined ? 0 : Number(page.cursor);
      const end = start + page.limit;
      return {
        items: matched.slice(start, end),
        ...(end < matched.length ? { cursor: String(end) } : {}),
      };
    },
    countsPerMinute: async (since, until) => {
      countCalls.push([since, until]);
      return counts.filter((count) => {
        const at = Date.parse(count.minute);
        return at >= since.getTime() && at < until.getTime();
      });
    },
  };
}

export function memoryControls(): WebhookControls {
  const pauses = new Map<string, Pause>();
  const key = (scope: PauseScope) => `${scope.source}\n${scope.target ?? ''}`;
  return {
    listPauses: async () => [...pauses.values()],
    pause: async (given, by, reason) => {
      // The adapter's contract: a malformed scope is a 400 before anything is stored.
      const scope = validPauseScope(given);
      const existing = pauses.get(key(scope));
      if (existing) return existing;
      const pause: Pause = {
        ...scope,
        pausedAt: '2026-12-06T09:00:00.000Z',
        pausedBy: by,
        ...(reason === undefined ? {} : { reason }),
      };
      pauses.set(key(scope), pause);
      return pause;
    },
    resume: async (scope) => pauses.delete(key(validPauseScope(scope))),
  };
}

/** Objects in memory, listed in key order; `lastModified` per key (default 2026-12-06). */
export function memoryStorage(
  objects: Record<string, string | Buffer> = {},
  lastModified: Record<string, Date> = {},
): Pick<ObjectStorage, 'list' | 'listAll' | 'getBytes'> & { gets: string[] } {
  const gets: string[] = [];
  const items = (prefix: string): ListItem[] =>
    Object.keys(objects)
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => ({
        key,
        size: Buffer.byteLength(objects[key]!),
        lastModified: lastModified[key] ?? new Date('2026-12-06T00:00:00Z'),
        etag: '"x"',
        storageClass: 'STANDARD',
      }));
  return {
    gets,
    getBytes: async (key, options) => {
      gets.push(key);
      const value = objects[key];
      if (value === undefined) throw new NotFoundError('absent', { service: 'S3', operation: 'GetObject' });
      const bytes = Buffer.from(value);
      const range = options?.range;
      return range === undefined ? bytes : bytes.subarray(range.start, (range.end ?? bytes.length - 1) + 1);
    },
    list: async (prefix, options) => {
      const all = items(prefix);
      const start = options?.cursor === undefined ? 0 : Number(options.cursor);
      const end = start + (options?.limit ?? 1000);
      return { items: all.slice(start, end), ...(end < all.length ? { cursor: String(end) } : {}) };
    },
    listAll: async function* (prefix) {
      yield* items(prefix);
    },
  };
}
