import {
  COST_WINDOW_DAYS,
  costView,
  MAX_COUNTED_DOCUMENTS,
  MAX_COUNTED_WEBHOOKS,
  SIZE_SAMPLE,
} from '../../../src/console/api/cost';
import { memoryHistory, memoryStorage } from './fakes';

const now = new Date('2026-12-06T10:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

describe('costView', () => {
  it('estimates for the last 30 days: webhooks counted by the history, documents by their manifests', async () => {
    const history = memoryHistory(
      [],
      [
        { minute: '2026-12-06T09:00:00.000Z', deliveries: 40, failures: 2 },
        { minute: '2026-11-20T09:00:00.000Z', deliveries: 60, failures: 0 },
      ],
    );
    const storage = memoryStorage(
      {
        'manifests/b3duZXI/a.json': JSON.stringify({ size: 1 * 2 ** 20 }),
        'manifests/b3duZXI/b.json': JSON.stringify({ size: 3 * 2 ** 20 }),
        'manifests/b3duZXI/c.json': 'not json',
        'manifests/b3duZXI/old.json': JSON.stringify({ size: 9 }),
      },
      { 'manifests/b3duZXI/old.json': daysAgo(COST_WINDOW_DAYS + 1) },
    );
    const estimate = jest.fn((traffic: unknown) => ({ total: 1.23, traffic }));
    const answer = await costView({ history, storage, estimate }, now);
    expect(answer.traffic).toEqual({ webhooks: 100, documents: 3, documentMb: 2 });
    expect(answer.estimate).toEqual({ total: 1.23, traffic: answer.traffic });
    // Day by day (the history counts at most 24 h at a time), the 30 days without gap or overlap.
    expect(history.countCalls).toHaveLength(COST_WINDOW_DAYS);
    expect(history.countCalls[0]).toEqual([daysAgo(1), now]);
    expect(history.countCalls.at(-1)).toEqual([daysAgo(COST_WINDOW_DAYS), daysAgo(COST_WINDOW_DAYS - 1)]);
    history.countCalls
      .slice(1)
      .forEach(([, until], index) => expect(until).toEqual(history.countCalls[index]![0]));
  });

  it('stops counting webhooks past its bound and takes the days not counted to be like the days counted', async () => {
    // A busy history: counting all 30 days read every receipt of the month, past the function's timeout.
    const perDay = Math.ceil(MAX_COUNTED_WEBHOOKS / 3);
    const history = memoryHistory(
      [],
      Array.from({ length: COST_WINDOW_DAYS }, (_, day) => ({
        minute: new Date(daysAgo(day).getTime() - 60_000).toISOString(),
        deliveries: perDay,
        failures: 0,
      })),
    );
    const answer = await costView({ history, storage: memoryStorage({}), estimate: () => null }, now);
    expect(history.countCalls).toHaveLength(3);
    expect(answer.traffic.webhooks).toBe(perDay * COST_WINDOW_DAYS);
  });

  it('counts documents of no size as 0 MB, and reads at most the newest few manifests', async () => {
    const objects = Object.fromEntries(
      Array.from({ length: SIZE_SAMPLE + 5 }, (_, index) => [`manifests/o/${index}.json`, '{}']),
    );
    const storage = memoryStorage(objects);
    const answer = await costView({ history: memoryHistory(), storage, estimate: () => null }, now);
    expect(answer.traffic).toEqual({ webhooks: 0, documents: SIZE_SAMPLE + 5, documentMb: 0 });
    expect(storage.gets).toHaveLength(SIZE_SAMPLE);
  });

  it(`stops counting manifests at ${MAX_COUNTED_DOCUMENTS}`, async () => {
    const objects = Object.fromEntries(
      Array.from({ length: MAX_COUNTED_DOCUMENTS + 3 }, (_, index) => [`manifests/o/${index}.json`, '{}']),
    );
    const answer = await costView(
      { history: memoryHistory(), storage: memoryStorage(objects), estimate: () => null },
      now,
    );
    expect(answer.traffic.documents).toBe(MAX_COUNTED_DOCUMENTS);
  });
});
