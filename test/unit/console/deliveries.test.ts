import { deliveryDetail, listDeliveries, MAX_ARCHIVE_BYTES } from '../../../src/console/api/deliveries';
import { REDACTED } from '../../../src/console/api/archived-payload';
import { ServiceUnavailableError } from '../../../src/errors';
import { deliveryRecord, memoryHistory, memoryStorage } from './fakes';

const archiveKey = 'events/github/2026/12/06/d-1.json';
const archived = JSON.stringify({
  source: 'github',
  type: 'push',
  id: 'd-1',
  receivedAt: '2026-12-06T09:00:00.000Z',
  archivedAt: '2026-12-06T09:00:01.000Z',
  headers: { 'content-type': 'application/json' },
  encoding: 'utf8',
  body: '{"client_secret":"x","ok":true}',
});

describe('listDeliveries', () => {
  const records = [
    deliveryRecord({ receipt: 'a', receivedAt: '2026-12-06T09:00:00.000Z', status: 'failed' }),
    deliveryRecord({ receipt: 'b', receivedAt: '2026-12-06T09:01:00.000Z', source: 'stripe' }),
    deliveryRecord({ receipt: 'c', receivedAt: '2026-12-06T09:02:00.000Z' }),
  ];

  it('passes the filter to the history and answers its page, newest first, with its cursor', async () => {
    const history = memoryHistory(records);
    const first = await listDeliveries(history, { source: 'github', limit: 1 });
    expect(first.items.map((item) => item.receipt)).toEqual(['c']);
    expect(first.cursor).toBe('1');
    const second = await listDeliveries(history, { source: 'github', limit: 1, cursor: first.cursor! });
    expect(second).toEqual({ items: [records[0]] });
    expect(history.listCalls[0]).toEqual({ source: 'github' });
  });
});

describe('deliveryDetail', () => {
  it('answers the record with its archived payload, secrets hidden', async () => {
    const delivery = deliveryRecord({ archiveKey });
    const answer = await deliveryDetail(
      { history: memoryHistory([delivery]), archive: memoryStorage({ [archiveKey]: archived }) },
      'r-1',
    );
    expect(answer.delivery).toEqual(delivery);
    expect(JSON.parse(answer.payload!.text)).toEqual({ client_secret: REDACTED, ok: true });
    expect(answer.payloadMissing).toBeUndefined();
  });

  it('answers 404 DELIVERY_NOT_FOUND for an unknown receipt', async () => {
    await expect(
      deliveryDetail({ history: memoryHistory([]), archive: memoryStorage() }, 'nope'),
    ).rejects.toMatchObject({ statusCode: 404, code: 'DELIVERY_NOT_FOUND' });
  });

  it.each([
    ['not archived yet', deliveryRecord(), {}, /Not archived yet/],
    ['archive gone', deliveryRecord({ archiveKey }), {}, /archive is gone/],
    [
      'not an archive',
      deliveryRecord({ archiveKey }),
      { [archiveKey]: '{"foreign":true}' },
      /not a delivery archive/,
    ],
    [
      'too large',
      deliveryRecord({ archiveKey }),
      { [archiveKey]: Buffer.alloc(MAX_ARCHIVE_BYTES + 10, 0x20) },
      /larger than/,
    ],
  ])('says why there is no payload when %s', async (_case, delivery, objects, reason) => {
    const answer = await deliveryDetail(
      { history: memoryHistory([delivery]), archive: memoryStorage(objects) },
      'r-1',
    );
    expect(answer.payload).toBeUndefined();
    expect(answer.payloadMissing).toMatch(reason);
  });

  it('lets a storage failure other than a missing object through (a 5xx, retryable)', async () => {
    const failure = new ServiceUnavailableError('down', { service: 'S3', operation: 'GetObject' });
    await expect(
      deliveryDetail(
        {
          history: memoryHistory([deliveryRecord({ archiveKey })]),
          archive: { getBytes: async () => Promise.reject(failure) },
        },
        'r-1',
      ),
    ).rejects.toBe(failure);
  });
});
