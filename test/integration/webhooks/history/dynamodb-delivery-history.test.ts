/**
 * dynamoDbDeliveryHistory against the local DynamoDB emulator over a real socket: the update expressions
 * (if_not_exists, list_append, the attempts bound), the day index and its paging are DynamoDB's behaviour,
 * so they are exercised on a real store, provisioned as serverless/resources.yml declares the table.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { InvalidCursorError, NotFoundError, TooManyToCountError } from '../../../../src/errors';
import type {
  DeliveryHistory,
  ReceivedDeliveryFacts,
} from '../../../../src/webhooks/history/delivery-history';
import { dynamoDbDeliveryHistory } from '../../../../src/webhooks/history/dynamodb-delivery-history';
import { deliveriesTable } from '../../../helpers/deliveries-table';
import { startEmulators, type Emulators } from '../../../helpers/emulators';

jest.setTimeout(60_000);

const writesTable = 'intake-test-deliveries';
const listingTable = 'intake-test-deliveries-listing';
let aws: Emulators;
const clock = { at: new Date('2026-12-06T10:00:00.000Z') };

beforeAll(async () => {
  aws = await startEmulators({ services: ['dynamodb'] });
  await aws.provision({
    DeliveriesTable: deliveriesTable(writesTable),
    ListingTable: deliveriesTable(listingTable),
  });
});

afterAll(async () => {
  await aws?.stop();
});

const historyOf = (
  tableName: string,
  options: { maxAttempts?: number; ttlDays?: number; maxCountedReceipts?: number } = {},
) => dynamoDbDeliveryHistory({ tableName, client: aws.dynamodb, now: () => clock.at, ...options });

function facts(overrides: Partial<ReceivedDeliveryFacts> = {}): ReceivedDeliveryFacts {
  return {
    receipt: randomUUID(),
    source: 'github',
    type: 'push',
    id: `delivery-${randomUUID()}`,
    receivedAt: '2026-12-06T09:59:58.000Z',
    ...overrides,
  };
}

const attempt = (outcome: 'processed' | 'failed', at = '2026-12-06T10:00:00.000Z', errorCode?: string) => ({
  at,
  durationMs: 42,
  outcome,
  receiveCount: 1,
  ...(errorCode ? { errorCode } : {}),
});

async function rawItem(tableName: string, receipt: string) {
  const { Item } = await aws.dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: { receipt: { S: receipt } } }),
  );
  return Item;
}

describe('dynamoDbDeliveryHistory writes', () => {
  it('records a received delivery as queued, with its identity and no attempt', async () => {
    const history = historyOf(writesTable);
    const received = facts({ providerId: 'gh-123', replay: 'run-1' });
    await history.recordReceived(received);
    expect(await history.get(received.receipt)).toEqual({
      ...received,
      status: 'queued',
      attempts: [],
      targets: {},
      updatedAt: clock.at.toISOString(),
    });
  });

  it('keeps a record WEBHOOK_HISTORY_TTL_DAYS after its last write: expiresAt in epoch seconds', async () => {
    const history = historyOf(writesTable, { ttlDays: 7 });
    const received = facts();
    await history.recordReceived(received);
    const item = await rawItem(writesTable, received.receipt);
    expect(Number(item?.expiresAt?.N)).toBe(clock.at.getTime() / 1000 + 7 * 24 * 60 * 60);
  });

  it("records a worker attempt: status, the attempt, the targets' outcome and the archive key", async () => {
    const history = historyOf(writesTable);
    const received = facts();
    await history.recordReceived(received);
    await history.recordAttempt(received, {
      status: 'processed',
      attempt: attempt('processed'),
      targets: { 'webhook-sample-downstream': 'invoked' },
      archiveKey: 'events/github/2026/12/06/x.json',
    });
    expect(await history.get(received.receipt)).toEqual({
      ...received,
      status: 'processed',
      attempts: [attempt('processed')],
      targets: { 'webhook-sample-downstream': 'invoked' },
      archiveKey: 'events/github/2026/12/06/x.json',
      updatedAt: clock.at.toISOString(),
    });
  });

  it("a receiver write that lands after the worker's keeps the worker's status and attempts", async () => {
    const history = historyOf(writesTable);
    const received = facts();
    await history.recordAttempt(received, { status: 'processed', attempt: attempt('processed') });
    await history.recordReceived(received);
    const record = await history.get(received.receipt);
    expect(record).toMatchObject({ ...received, status: 'processed', attempts: [attempt('processed')] });
  });

  it('appends one attempt per write, oldest first, and the last write sets the status', async () => {
    const history = historyOf(writesTable);
    const received = facts();
    await history.recordReceived(received);
    const first = attempt('failed', '2026-12-06T10:00:00.000Z', 'SERVICE_UNAVAILABLE');
    await history.recordAttempt(received, {
      status: 'failed',
      attempt: first,
      targets: { a: 'invoked', b: 'failed' },
    });
    await history.recordAttempt(received, {
      status: 'processed',
      attempt: attempt('processed', '2026-12-06T10:03:10.000Z'),
      targets: { a: 'invoked', b: 'invoked' },
    });
    expect(await history.get(received.receipt)).toMatchObject({
      status: 'processed',
      attempts: [first, attempt('processed', '2026-12-06T10:03:10.000Z')],
      targets: { a: 'invoked', b: 'invoked' },
    });
  });

  it('keeps only the last maxAttempts attempts of a receipt attempted more often', async () => {
    const history = historyOf(writesTable, { maxAttempts: 3 });
    const received = facts();
    const times = [1, 2, 3, 4, 5].map((minute) => `2026-12-06T10:0${minute}:00.000Z`);
    for (const at of times)
      await history.recordAttempt(received, { status: 'failed', attempt: attempt('failed', at, 'TIMEOUT') });
    await history.recordAttempt(received, {
      status: 'dead-lettered',
      attempt: { ...attempt('failed', '2026-12-06T10:06:00.000Z', 'TIMEOUT'), outcome: 'dead-lettered' },
    });
    const record = await history.get(received.receipt);
    expect(record?.status).toBe('dead-lettered');
    expect(record?.attempts.map((kept) => kept.at)).toEqual([
      '2026-12-06T10:04:00.000Z',
      '2026-12-06T10:05:00.000Z',
      '2026-12-06T10:06:00.000Z',
    ]);
  });

  it('answers undefined for a receipt it never recorded', async () => {
    expect(await historyOf(writesTable).get(randomUUID())).toBeUndefined();
  });

  it('throws a typed NotFoundError when its table does not exist', async () => {
    const history = historyOf('intake-test-no-such-table');
    await expect(history.recordReceived(facts())).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      history.recordAttempt(facts(), { status: 'processed', attempt: attempt('processed') }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(history.get('r')).rejects.toBeInstanceOf(NotFoundError);
    await expect(history.list({}, { limit: 10 })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('dynamoDbDeliveryHistory listing', () => {
  let history: DeliveryHistory;
  /** Receipts over three days, oldest first: the fixture every listing case reads. */
  const seeded: ReceivedDeliveryFacts[] = [
    facts({ receipt: 'r1', source: 'github', type: 'push', receivedAt: '2026-12-04T23:59:00.000Z' }),
    facts({
      receipt: 'r2',
      source: 'stripe',
      type: 'charge.succeeded',
      receivedAt: '2026-12-05T08:00:00.000Z',
    }),
    facts({ receipt: 'r3', source: 'github', type: 'issues', receivedAt: '2026-12-05T08:00:30.000Z' }),
    facts({ receipt: 'r4', source: 'github', type: 'push', receivedAt: '2026-12-06T09:00:10.000Z' }),
    facts({ receipt: 'r5', source: 'stripe', type: 'charge.failed', receivedAt: '2026-12-06T09:00:20.000Z' }),
    facts({ receipt: 'r6', source: 'github', type: 'push', receivedAt: '2026-12-06T09:01:00.000Z' }),
  ];

  beforeAll(async () => {
    history = historyOf(listingTable);
    for (const received of seeded) await history.recordReceived(received);
    await history.recordAttempt(seeded[1]!, { status: 'failed', attempt: attempt('failed') });
    await history.recordAttempt(seeded[3]!, { status: 'processed', attempt: attempt('processed') });
    await history.recordAttempt(seeded[4]!, { status: 'dead-lettered', attempt: attempt('failed') });
  });

  const receipts = (page: { items: readonly { receipt: string }[] }) =>
    page.items.map((item) => item.receipt);

  it('lists receipts newest first across sources and days, with their whole records', async () => {
    const page = await history.list({}, { limit: 10 });
    expect(receipts(page)).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(page.items[1]).toMatchObject({
      source: 'stripe',
      status: 'dead-lettered',
      attempts: [attempt('failed')],
    });
    expect(page.cursor).toBeUndefined();
  });

  it('pages with an opaque cursor, across day boundaries, until the last page has none', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await history.list({}, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...receipts(page));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(cursor).toBeUndefined();
  });

  it('filters by source, type and status together', async () => {
    expect(receipts(await history.list({ source: 'github' }, { limit: 10 }))).toEqual([
      'r6',
      'r4',
      'r3',
      'r1',
    ]);
    expect(receipts(await history.list({ source: 'github', type: 'push' }, { limit: 10 }))).toEqual([
      'r6',
      'r4',
      'r1',
    ]);
    expect(receipts(await history.list({ status: 'queued' }, { limit: 10 }))).toEqual(['r6', 'r3', 'r1']);
    expect(receipts(await history.list({ source: 'stripe', status: 'failed' }, { limit: 10 }))).toEqual([
      'r2',
    ]);
  });

  it('pages a filtered listing without skipping or repeating a match', async () => {
    const first = await history.list({ source: 'github' }, { limit: 1 });
    expect(receipts(first)).toEqual(['r6']);
    const second = await history.list({ source: 'github' }, { limit: 2, cursor: first.cursor! });
    expect(receipts(second)).toEqual(['r4', 'r3']);
    const third = await history.list({ source: 'github' }, { limit: 2, cursor: second.cursor! });
    expect(receipts(third)).toEqual(['r1']);
  });

  it('bounds by time: since inclusive, until exclusive', async () => {
    const page = await history.list(
      { since: new Date('2026-12-05T08:00:30.000Z'), until: new Date('2026-12-06T09:00:20.000Z') },
      { limit: 10 },
    );
    expect(receipts(page)).toEqual(['r4', 'r3']);
    expect(page.cursor).toBeUndefined();
  });

  it('refuses a cursor it did not issue with InvalidCursorError (400)', async () => {
    for (const cursor of [
      'not-base64-json',
      Buffer.from('{"d":"x"}').toString('base64url'),
      Buffer.from('{"d":"2026-12-06","r":"a","o":"2025"}').toString('base64url'),
    ])
      await expect(history.list({}, { limit: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses (400 TOO_MANY_TO_COUNT) to count a span holding more receipts than its bound, rather than read them all', async () => {
    const span = [new Date('2026-12-04T12:00:00.000Z'), new Date('2026-12-05T12:00:00.000Z')] as const;
    // r1, r2 and r3 are in the span: a bound of 3 counts them, a bound of 2 refuses.
    const atBound = await historyOf(listingTable, { maxCountedReceipts: 3 }).countsPerMinute(...span);
    expect(atBound.reduce((sum, count) => sum + count.deliveries, 0)).toBe(3);
    await expect(historyOf(listingTable, { maxCountedReceipts: 2 }).countsPerMinute(...span)).rejects.toEqual(
      expect.any(TooManyToCountError),
    );
    await expect(
      historyOf(listingTable, { maxCountedReceipts: 2 }).countsPerMinute(...span),
    ).rejects.toMatchObject({ statusCode: 400, code: 'TOO_MANY_TO_COUNT' });
  });

  it('counts receipts and failures per minute, every minute of the span included', async () => {
    const counts = await history.countsPerMinute(
      new Date('2026-12-06T08:59:30.000Z'),
      new Date('2026-12-06T09:02:00.000Z'),
    );
    expect(counts).toEqual([
      { minute: '2026-12-06T08:59:00.000Z', deliveries: 0, failures: 0 },
      { minute: '2026-12-06T09:00:00.000Z', deliveries: 2, failures: 1 },
      { minute: '2026-12-06T09:01:00.000Z', deliveries: 1, failures: 0 },
    ]);
  });

  it('counts across midnight, and reads at most the 24 hours before `until`', async () => {
    const counts = await history.countsPerMinute(
      new Date('2026-12-01T00:00:00.000Z'),
      new Date('2026-12-05T08:01:00.000Z'),
    );
    expect(counts).toHaveLength(24 * 60);
    expect(counts[0]!.minute).toBe('2026-12-04T08:01:00.000Z');
    expect(counts.filter((count) => count.deliveries > 0)).toEqual([
      { minute: '2026-12-04T23:59:00.000Z', deliveries: 1, failures: 0 },
      { minute: '2026-12-05T08:00:00.000Z', deliveries: 2, failures: 1 },
    ]);
  });
});
