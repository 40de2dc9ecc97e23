/**
 * dynamoDbUploadQuota against dynalite over a real socket: the conditional UpdateItem is what keeps
 * concurrent requests from together going over a day's allowance, so it is exercised on a real store.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { IntegrationError, PayloadTooLargeError, QuotaExceededError } from '../../../src/errors';
import { dynamoDbUploadQuota, quotaDay, type UploadQuotaLimits } from '../../../src/documents/upload-quota';
import { idKeyedTable, startEmulators, type Emulators } from '../../helpers/emulators';

jest.setTimeout(60_000);

const tableName = 'intake-test-quotas';
let aws: Emulators;
let client: DynamoDBClient;

beforeAll(async () => {
  aws = await startEmulators({ services: ['dynamodb'] });
  await aws.provision({ UploadQuotaTable: idKeyedTable(tableName) });
  client = aws.dynamodb;
});

afterAll(async () => {
  await aws?.stop();
});

/** A quota at a fixed clock (`at` may be moved by the test). */
function quotaAt(limits: UploadQuotaLimits, clock: { at: Date }, table = tableName) {
  return dynamoDbUploadQuota({ client, tableName: table, limits, now: () => clock.at });
}

/** An owner no other case uses: every case starts with an empty day. */
const freshOwner = () => `owner-${randomUUID()}`;

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('dynamoDbUploadQuota on dynalite', () => {
  it('allows uploadsPerDay forms a day, then refuses with 429 QuotaExceededError', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 3, bytesPerDay: 1_000_000 }, clock);
    const owner = freshOwner();
    for (let i = 0; i < 3; i++) await quota.reserve(owner, 10);
    const error = await refusal(quota.reserve(owner, 10));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ statusCode: 429, code: 'QUOTA_EXCEEDED' });
    // A refused form is not counted: the day still holds exactly 3 forms.
    const { day } = quotaDay(clock.at);
    const item = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { id: { S: `upload-quota#${Buffer.from(owner).toString('base64url')}#${day}` } },
      }),
    );
    expect(item.Item).toMatchObject({ uploads: { N: '3' }, bytes: { N: '30' } });
    // Items expire a day after their day ends (TTL attribute, epoch seconds).
    expect(Number(item.Item!.expiresAt!.N)).toBe(Date.parse('2026-11-25T00:00:00.000Z') / 1000);
  });

  it('allows bytesPerDay a day, the last form exactly filling it, then refuses', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 100, bytesPerDay: 1_000 }, clock);
    const owner = freshOwner();
    await quota.reserve(owner, 600);
    expect(await refusal(quota.reserve(owner, 401))).toBeInstanceOf(QuotaExceededError);
    await quota.reserve(owner, 400); // 1000 exactly
    expect(await refusal(quota.reserve(owner, 1))).toBeInstanceOf(QuotaExceededError);
  });

  it('counts each owner separately', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 1, bytesPerDay: 1_000 }, clock);
    const [alice, bob] = [freshOwner(), freshOwner()];
    await quota.reserve(alice, 1);
    await quota.reserve(bob, 1);
    expect(await refusal(quota.reserve(alice, 1))).toBeInstanceOf(QuotaExceededError);
  });

  it('never lets concurrent reservations go over: 50 at once with a limit of 10 → exactly 10', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 10, bytesPerDay: 1_000_000 }, clock);
    const owner = freshOwner();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => quota.reserve(owner, 5)));
    const granted = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const result of refused) expect(result.reason).toBeInstanceOf(QuotaExceededError);
  });

  it('never lets concurrent reservations go over the bytes either', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 1_000, bytesPerDay: 100 }, clock);
    const owner = freshOwner();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => quota.reserve(owner, 7)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(14); // 14 × 7 = 98
  });

  it('starts a new UTC day fresh', async () => {
    const clock = { at: new Date('2026-11-23T23:59:59.000Z') };
    const quota = quotaAt({ uploadsPerDay: 1, bytesPerDay: 1_000 }, clock);
    const owner = freshOwner();
    await quota.reserve(owner, 1_000);
    expect(await refusal(quota.reserve(owner, 1))).toBeInstanceOf(QuotaExceededError);
    clock.at = new Date('2026-11-24T00:00:00.000Z');
    await quota.reserve(owner, 1_000);
    expect(await refusal(quota.reserve(owner, 1))).toBeInstanceOf(QuotaExceededError);
  });

  it.each([
    ['14:00:00', '2026-11-23T14:00:00.000Z', 36_000],
    ['a second before midnight', '2026-11-23T23:59:59.000Z', 1],
    ['half a second before midnight (rounded up)', '2026-11-23T23:59:59.500Z', 1],
    ['midnight', '2026-11-23T00:00:00.000Z', 86_400],
    ['just after midnight', '2026-11-23T00:00:00.250Z', 86_400],
  ])('says to retry after the seconds left until 00:00 UTC, at %s', async (_name, at, seconds) => {
    const clock = { at: new Date(at) };
    const quota = quotaAt({ uploadsPerDay: 1, bytesPerDay: 1_000 }, clock);
    const owner = freshOwner();
    await quota.reserve(owner, 1);
    const error = await refusal(quota.reserve(owner, 1));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).retryAfterSeconds).toBe(seconds);
  });

  it("refuses a size over a whole day's bytes with 413, without touching the store", async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 10, bytesPerDay: 1_000 }, clock, 'no-such-table');
    const error = await refusal(quota.reserve(freshOwner(), 1_001));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ statusCode: 413 });
  });

  it('answers a store failure (no such table) with an IntegrationError, not 429', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 10, bytesPerDay: 1_000 }, clock, 'no-such-table');
    const error = await refusal(quota.reserve(freshOwner(), 1));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).not.toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ service: 'DynamoDB', operation: 'UpdateItem' });
    expect((error as IntegrationError).statusCode).not.toBe(429);
  });

  it('answers an unreachable store with a retryable IntegrationError', async () => {
    const unreachable = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9', // discard port: nothing listens
      credentials: aws.credentials,
      maxAttempts: 1,
    });
    try {
      const quota = dynamoDbUploadQuota({
        client: unreachable,
        tableName,
        limits: { uploadsPerDay: 10, bytesPerDay: 1_000 },
      });
      const error = await refusal(quota.reserve(freshOwner(), 1));
      expect(error).toBeInstanceOf(IntegrationError);
      expect(error).toMatchObject({ retryable: true });
    } finally {
      unreachable.destroy();
    }
  });

  it('keys owners with slashes and Unicode apart', async () => {
    const clock = { at: new Date('2026-11-23T14:00:00.000Z') };
    const quota = quotaAt({ uploadsPerDay: 1, bytesPerDay: 1_000 }, clock);
    const suffix = randomUUID();
    for (const owner of [`a#b-${suffix}`, `a-${suffix}#b`, `a/b-${suffix}`, `Zürich-${suffix}`]) {
      await quota.reserve(owner, 1);
    }
  });
});

describe('quotaDay', () => {
  it('names the UTC day and the seconds until it ends', () => {
    expect(quotaDay(new Date('2026-12-04T23:00:00.000Z'))).toEqual({
      day: '2026-12-04',
      secondsLeft: 3_600,
      endsAtSeconds: Date.parse('2026-12-05T00:00:00.000Z') / 1000,
    });
  });
});
