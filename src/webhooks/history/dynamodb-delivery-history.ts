import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  type AttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { toIntegrationError } from '../../aws/error-mapping';
import { InvalidCursorError, TooManyToCountError } from '../../errors';
import type {
  DeliveryAttempt,
  DeliveryFilter,
  DeliveryHistory,
  DeliveryPage,
  DeliveryRecord,
  DeliveryStatus,
  MinuteCount,
  TargetOutcome,
} from './delivery-history';
import {
  DEFAULT_HISTORY_TTL_DAYS,
  dynamoDbDeliveryWrites,
  type DynamoDbDeliveryWritesOptions,
} from './dynamodb-delivery-writes';
import { DELIVERIES_BY_DAY_INDEX, S, dayOf, namesIn, type Item } from './dynamodb-item';

/*
 * The delivery history in DynamoDB: the writes (dynamodb-delivery-writes.ts, all the receiver and the worker
 * bundle) and the reads of the console and the CLI. Item layout and index: dynamodb-item.ts. Listing reads
 * the day index, then the records themselves.
 */

export interface DynamoDbDeliveryHistoryOptions extends DynamoDbDeliveryWritesOptions {
  /** The most receipts one `countsPerMinute` reads (default MAX_COUNTED_RECEIPTS). */
  readonly maxCountedReceipts?: number;
}
export { DEFAULT_HISTORY_TTL_DAYS, DEFAULT_MAX_ATTEMPTS } from './dynamodb-delivery-writes';
export { DELIVERIES_BY_DAY_INDEX } from './dynamodb-item';

/** The largest page `list` returns (one BatchGetItem reads at most 100 items). */
export const MAX_PAGE_SIZE = 100;
/**
 * Queries one `list` page may spend before it answers with what it found and a cursor: enough to walk the
 * default span (the TTL, one query per empty day) in one page. An empty query costs 0.5 read units.
 */
const MAX_QUERIES_PER_PAGE = 64;
/** Items a filtered query evaluates at once (the filter runs after the read, so read in bigger steps). */
const FILTERED_QUERY_LIMIT = 200;
/** The longest span `countsPerMinute` reads. */
export const MAX_COUNT_SPAN_MS = 24 * 60 * 60 * 1000;
/**
 * The most receipts one `countsPerMinute` reads (about 30 index pages of 1 MB, a few seconds): counting
 * reads every receipt of the span, so a busy day counted without a bound ran past the function's timeout.
 */
export const MAX_COUNTED_RECEIPTS = 200_000;

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
const FAILURE_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(['failed', 'dead-lettered']);

const previousDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);

const textIn = (item: Item, name: string): string | undefined => item[name]?.S;
const numberIn = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
};
/** `{ [name]: value }` when the item holds it, `{}` otherwise (optional fields stay absent). */
const optionalIn = <T>(name: string, value: T | undefined): Record<string, T> =>
  value === undefined ? {} : { [name]: value };

function decodeAttempt(value: AttributeValue): DeliveryAttempt {
  const m = value.M ?? {};
  return {
    at: textIn(m, 'at') ?? '',
    durationMs: numberIn(m, 'durationMs') ?? 0,
    outcome: textIn(m, 'outcome') as DeliveryAttempt['outcome'],
    ...optionalIn('errorCode', textIn(m, 'errorCode')),
    ...optionalIn('receiveCount', numberIn(m, 'receiveCount')),
  };
}

function decodeRecord(item: Item): DeliveryRecord {
  const text = (name: string) => textIn(item, name) ?? '';
  return {
    receipt: text('receipt'),
    source: text('source'),
    type: text('type'),
    id: text('id'),
    receivedAt: text('receivedAt'),
    status: text('status') as DeliveryStatus,
    attempts: (item.attempts?.L ?? []).map(decodeAttempt),
    targets: Object.fromEntries(
      Object.entries(item.targets?.M ?? {}).map(([target, outcome]) => [target, outcome.S as TargetOutcome]),
    ),
    updatedAt: text('updatedAt'),
    ...optionalIn('providerId', textIn(item, 'providerId')),
    ...optionalIn('replay', textIn(item, 'replay')),
    ...optionalIn('archiveKey', textIn(item, 'archiveKey')),
  };
}

/** Where a `list` page stopped: the day being read and, mid-day, the last index key read. */
interface ListPosition {
  readonly day: string;
  readonly after?: { readonly receipt: string; readonly dayOrder: string };
}

function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const time = Date.parse(`${day}T00:00:00.000Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
}

function encodeCursor(position: ListPosition): string {
  const value = position.after
    ? { d: position.day, r: position.after.receipt, o: position.after.dayOrder }
    : { d: position.day };
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string, tableName: string): ListPosition {
  const invalid = () =>
    new InvalidCursorError('The cursor was not issued by this delivery listing', {
      service: 'DynamoDB',
      operation: 'Query',
      resource: tableName,
    });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { d, r, o } = (value ?? {}) as { d?: unknown; r?: unknown; o?: unknown };
  // A real calendar day (not 2026-13-45): the listing steps back from it by date arithmetic.
  if (typeof d !== 'string' || !isCalendarDay(d)) throw invalid();
  if (r === undefined && o === undefined) return { day: d };
  if (typeof r !== 'string' || typeof o !== 'string' || !o.startsWith(d) || r.length === 0) throw invalid();
  return { day: d, after: { receipt: r, dayOrder: o } };
}

/**
 * The DeliveryHistory port over DynamoDB. Writes: dynamoDbDeliveryWrites (one UpdateItem per receipt write
 * and per attempt). Reads: `get` one GetItem; `list`
 * Queries the day index from `until` back to `since` and BatchGets the records of the page; `countsPerMinute`
 * Queries the index over at most 24 h. Failures are thrown as IntegrationErrors (src/aws/error-mapping.ts).
 */
export function dynamoDbDeliveryHistory(options: DynamoDbDeliveryHistoryOptions): DeliveryHistory {
  const { tableName, client } = options;
  const ttlDays = options.ttlDays ?? DEFAULT_HISTORY_TTL_DAYS;
  const now = options.now ?? (() => new Date());
  const maxCountedReceipts = options.maxCountedReceipts ?? MAX_COUNTED_RECEIPTS;

  const failure = (operation: string, error: unknown) =>
    toIntegrationError(error, { service: 'DynamoDB', operation, resource: tableName });

  async function queryIndex(input: Omit<QueryCommandInput, 'TableName' | 'IndexName'>) {
    try {
      return await client.send(
        new QueryCommand({ TableName: tableName, IndexName: DELIVERIES_BY_DAY_INDEX, ...input }),
      );
    } catch (error) {
      throw failure('Query', error);
    }
  }

  /** The key condition of one day of the index, bounded to [since, until). */
  function dayRange(day: string, since: Date | undefined, until: Date | undefined) {
    // `<receivedAt>#<receipt>` sorts by time; a bare ISO time sorts before every key of that instant.
    const low = since && dayOf(since.toISOString()) === day ? since.toISOString() : day;
    const high = until && dayOf(until.toISOString()) === day ? until.toISOString() : `${day}~`;
    return {
      KeyConditionExpression: '#day = :day AND #dayOrder BETWEEN :low AND :high',
      values: { ':day': S(day), ':low': S(low), ':high': S(high) },
    };
  }

  async function batchGet(receipts: readonly string[]): Promise<Map<string, DeliveryRecord>> {
    const found = new Map<string, DeliveryRecord>();
    let keys: Item[] = receipts.map((receipt) => ({ receipt: S(receipt) }));
    // UnprocessedKeys come back under throttling: a few rounds, then what is missing is reported.
    for (let round = 0; keys.length > 0; round++) {
      if (round === 5)
        throw failure(
          'BatchGetItem',
          Object.assign(new Error('Unprocessed keys remain'), { name: 'ThrottlingException' }),
        );
      let answer;
      try {
        answer = await client.send(
          new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
      } catch (error) {
        throw failure('BatchGetItem', error);
      }
      for (const item of answer.Responses?.[tableName] ?? []) {
        const record = decodeRecord(item);
        found.set(record.receipt, record);
      }
      keys = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  }

  return {
    ...dynamoDbDeliveryWrites(options),

    async get(receipt) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: { receipt: S(receipt) }, ConsistentRead: true }),
        );
        return Item ? decodeRecord(Item) : undefined;
      } catch (error) {
        throw failure('GetItem', error);
      }
    },

    async list(filter: DeliveryFilter, page): Promise<DeliveryPage> {
      const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(page.limit)));
      const until = filter.until;
      // Nothing older than the TTL is kept: without `since`, read back that far and no further.
      const since = filter.since ?? new Date((until ?? now()).getTime() - (ttlDays + 1) * DAY_MS);
      const lastDay = dayOf(since.toISOString());
      const conditions = (['source', 'type', 'status'] as const)
        .filter((field) => filter[field] !== undefined)
        .map((field) => `#${field} = :${field}`);
      const filterValues = Object.fromEntries(
        (['source', 'type', 'status'] as const)
          .filter((field) => filter[field] !== undefined)
          .map((field) => [`:${field}`, S(filter[field] as string)]),
      );
      const filterExpression = conditions.length > 0 ? conditions.join(' AND ') : undefined;

      let position: ListPosition | undefined = page.cursor
        ? decodeCursor(page.cursor, tableName)
        : { day: dayOf((until ?? new Date(now().getTime() + MINUTE_MS)).toISOString()) };
      const receipts: string[] = [];
      for (let queries = 0; position && position.day >= lastDay; queries++) {
        if (queries === MAX_QUERIES_PER_PAGE || receipts.length === limit) break;
        const range = dayRange(position.day, since, until);
        const answer = await queryIndex({
          KeyConditionExpression: range.KeyConditionExpression,
          ...(filterExpression ? { FilterExpression: filterExpression } : {}),
          ExpressionAttributeNames: namesIn(range.KeyConditionExpression, filterExpression),
          ExpressionAttributeValues: { ...range.values, ...filterValues },
          ScanIndexForward: false,
          Limit: filterExpression ? FILTERED_QUERY_LIMIT : limit - receipts.length,
          ...(position.after
            ? {
                ExclusiveStartKey: {
                  receipt: S(position.after.receipt),
                  day: S(position.day),
                  dayOrder: S(position.after.dayOrder),
                },
              }
            : {}),
        });
        const items = answer.Items ?? [];
        const wanted = items.slice(0, limit - receipts.length);
        receipts.push(...wanted.map((item) => item.receipt?.S ?? ''));
        const last = wanted.at(-1);
        if (wanted.length < items.length && last) {
          // The page filled up mid-answer: continue after the last item taken.
          position = { day: position.day, after: { receipt: last.receipt!.S!, dayOrder: last.dayOrder!.S! } };
        } else if (answer.LastEvaluatedKey) {
          const key = answer.LastEvaluatedKey;
          position = { day: position.day, after: { receipt: key.receipt!.S!, dayOrder: key.dayOrder!.S! } };
        } else {
          position = { day: previousDay(position.day) };
        }
      }
      const records = await batchGet(receipts);
      const items = receipts.flatMap((receipt) => {
        const record = records.get(receipt);
        return record ? [record] : [];
      });
      return position && position.day >= lastDay ? { items, cursor: encodeCursor(position) } : { items };
    },

    async countsPerMinute(since, until) {
      const from = new Date(Math.max(since.getTime(), until.getTime() - MAX_COUNT_SPAN_MS));
      const firstMinute = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS;
      const counts = new Map<number, { deliveries: number; failures: number }>();
      for (let minute = firstMinute; minute < until.getTime(); minute += MINUTE_MS)
        counts.set(minute, { deliveries: 0, failures: 0 });
      const firstDay = dayOf(from.toISOString());
      let read = 0;
      for (let day = dayOf(until.toISOString()); day >= firstDay; day = previousDay(day)) {
        const range = dayRange(day, new Date(firstMinute), until);
        let startKey: Item | undefined;
        do {
          const projection = '#receivedAt, #status';
          const answer = await queryIndex({
            KeyConditionExpression: range.KeyConditionExpression,
            ProjectionExpression: projection,
            ExpressionAttributeNames: namesIn(range.KeyConditionExpression, projection),
            ExpressionAttributeValues: range.values,
            Limit: maxCountedReceipts - read + 1,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          });
          read += answer.Items?.length ?? 0;
          if (read > maxCountedReceipts) throw new TooManyToCountError(maxCountedReceipts);
          for (const item of answer.Items ?? []) {
            const minute = Math.floor(Date.parse(item.receivedAt?.S ?? '') / MINUTE_MS) * MINUTE_MS;
            const count = counts.get(minute);
            if (!count) continue;
            count.deliveries += 1;
            if (FAILURE_STATUSES.has(item.status?.S ?? '')) count.failures += 1;
          }
          startKey = answer.LastEvaluatedKey;
        } while (startKey);
      }
      return [...counts].map(([minute, count]): MinuteCount => ({
        minute: new Date(minute).toISOString(),
        ...count,
      }));
    },
  };
}
