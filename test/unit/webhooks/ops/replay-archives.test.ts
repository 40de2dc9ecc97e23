import { ServiceUnavailableError } from '../../../../src/errors';
import { replayArchives } from '../../../../src/webhooks/ops/replay-archives';
import { memoryHistory, memoryStorage } from '../../console/fakes';

const key = 'events/github/2026/12/06/d-1.json';
const archive = (body: string) =>
  JSON.stringify({
    source: 'github',
    type: 'push',
    id: 'd-1',
    receivedAt: '2026-12-06T09:00:00.000Z',
    archivedAt: '2026-12-06T09:00:01.000Z',
    headers: {},
    encoding: 'utf8',
    body,
  });

/** SQS's refusal of characters it does not take in a message (the enqueue then re-sends the body base64). */
const invalidContents = Object.assign(new Error('invalid'), { name: 'InvalidMessageContents' });

describe('replayArchives', () => {
  it('stores a copy too large for one message as a claim check when the caller may', async () => {
    const sent: string[] = [];
    const claims: string[] = [];
    const result = await replayArchives({
      keys: [key],
      storage: memoryStorage({ [key]: archive('x'.repeat(500)) }),
      enqueue: {
        sendMessage: async (text) => void sent.push(text),
        storeClaim: async (claimKey) => void claims.push(claimKey),
        maxMessageBytes: 400,
      },
      replayId: 'replay-1',
      history: memoryHistory(),
    });
    expect(result).toEqual({ enqueued: 1, missing: [], tooLarge: [] });
    expect(claims).toEqual(['events/_claims/github/2026/12/06/d-1.body']);
    expect(sent[0]).toContain('"claim"');
  });

  it('fails, as a retryable 503, when SQS refuses the text and its base64 form needs a claim the caller may not write', async () => {
    const replay = replayArchives({
      keys: [key],
      storage: memoryStorage({ [key]: archive('y'.repeat(200)) }),
      enqueue: { sendMessage: async () => Promise.reject(invalidContents), maxMessageBytes: 420 },
      replayId: 'replay-1',
      history: memoryHistory(),
    });
    await expect(replay).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('lets a storage failure other than a missing archive through', async () => {
    const failure = new ServiceUnavailableError('down', { service: 'S3', operation: 'GetObject' });
    await expect(
      replayArchives({
        keys: [key],
        storage: { getBytes: async () => Promise.reject(failure) },
        enqueue: { sendMessage: async () => undefined },
        replayId: 'replay-1',
        history: memoryHistory(),
      }),
    ).rejects.toBe(failure);
  });
});
