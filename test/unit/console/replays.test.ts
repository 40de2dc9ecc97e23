import { MAX_REPLAY_DELIVERIES, replayDelivery, replayMatching } from '../../../src/console/api/replays';
import { deliveryRecord, memoryHistory } from './fakes';

function replayer() {
  const runs: { keys: readonly string[]; replayId: string }[] = [];
  return {
    runs,
    replay: async (keys: readonly string[], replayId: string) => {
      runs.push({ keys, replayId });
      return { enqueued: keys.length, missing: [], tooLarge: [] };
    },
    newReplayId: () => 'replay-1',
  };
}

describe('replayDelivery', () => {
  it('replays the archive of one receipt and answers the run', async () => {
    const tools = replayer();
    const history = memoryHistory([deliveryRecord({ archiveKey: 'events/github/2026/12/06/d-1.json' })]);
    expect(await replayDelivery({ history, ...tools }, 'r-1')).toEqual({
      replayId: 'replay-1',
      matched: 1,
      enqueued: 1,
    });
    expect(tools.runs).toEqual([{ keys: ['events/github/2026/12/06/d-1.json'], replayId: 'replay-1' }]);
  });

  it('says how many matched deliveries were not replayed, and why', async () => {
    const history = memoryHistory([
      deliveryRecord({ archiveKey: 'gone' }),
      deliveryRecord({ receipt: 'r-2', archiveKey: 'big' }),
    ]);
    const replay = async () => ({ enqueued: 0, missing: ['gone'], tooLarge: ['big'] });
    expect(await replayMatching({ history, replay, newReplayId: () => 'replay-2' }, {})).toEqual({
      replayId: 'replay-2',
      matched: 2,
      enqueued: 0,
      notReplayed: { archiveGone: 1, tooLarge: 1 },
    });
  });

  it('refuses an unknown receipt (404) and one not archived yet (409), replaying nothing', async () => {
    const tools = replayer();
    const history = memoryHistory([deliveryRecord()]);
    await expect(replayDelivery({ history, ...tools }, 'nope')).rejects.toMatchObject({ statusCode: 404 });
    await expect(replayDelivery({ history, ...tools }, 'r-1')).rejects.toMatchObject({
      statusCode: 409,
      code: 'NOT_ARCHIVED',
    });
    expect(tools.runs).toEqual([]);
  });
});

describe('replayMatching', () => {
  it('replays each archive the filter matches once, across history pages, counting every matched record', async () => {
    const records = Array.from({ length: 150 }, (_, index) =>
      deliveryRecord({
        receipt: `r-${index}`,
        receivedAt: new Date(Date.UTC(2026, 11, 6, 9, 0, index)).toISOString(),
        // Two receipts of each delivery (a duplicate) share the archive; the last 10 are not archived yet.
        ...(index < 140 ? { archiveKey: `events/github/2026/12/06/d-${Math.floor(index / 2)}.json` } : {}),
      }),
    );
    const tools = replayer();
    const history = memoryHistory([
      ...records,
      deliveryRecord({ receipt: 'other', source: 'stripe', archiveKey: 'x' }),
    ]);
    const answer = await replayMatching({ history, ...tools }, { source: 'github' });
    expect(answer).toEqual({ replayId: 'replay-1', matched: 150, enqueued: 70 });
    expect(new Set(tools.runs[0]!.keys).size).toBe(70);
    expect(history.listCalls).toHaveLength(2);
  });

  it(`refuses a filter matching more than ${MAX_REPLAY_DELIVERIES} deliveries before replaying any`, async () => {
    const records = Array.from({ length: MAX_REPLAY_DELIVERIES + 1 }, (_, index) =>
      deliveryRecord({ receipt: `r-${index}`, archiveKey: `k-${index}` }),
    );
    const tools = replayer();
    await expect(replayMatching({ history: memoryHistory(records), ...tools }, {})).rejects.toMatchObject({
      statusCode: 400,
      code: 'TOO_MANY_DELIVERIES',
    });
    expect(tools.runs).toEqual([]);
  });
});
