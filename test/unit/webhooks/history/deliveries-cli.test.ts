import { deliveriesRequest, deliveryDetail, deliveryLines } from '../../../../scripts/lib/deliveries-cli';
import type { DeliveryRecord } from '../../../../src/webhooks/history/delivery-history';

const record: DeliveryRecord = {
  receipt: 'r-1',
  source: 'github',
  type: 'push',
  id: 'd-1',
  providerId: 'gh-1',
  receivedAt: '2026-12-06T10:00:00.000Z',
  replay: 'replay-1',
  status: 'failed',
  attempts: [
    {
      at: '2026-12-06T10:00:01.000Z',
      durationMs: 12,
      outcome: 'failed',
      errorCode: 'TIMEOUT',
      receiveCount: 1,
    },
    { at: '2026-12-06T10:03:11.000Z', durationMs: 9, outcome: 'processed' },
  ],
  targets: { audit: 'invoked', prs: 'failed' },
  archiveKey: 'events/github/2026/12/06/d-1.json',
  updatedAt: '2026-12-06T10:03:11.009Z',
};

describe('npm run deliveries: its options', () => {
  it('lists the 20 newest by default, with the filters given', () => {
    expect(deliveriesRequest({})).toEqual({ kind: 'list', filter: {}, limit: 20 });
    expect(
      deliveriesRequest({
        source: 'github',
        type: 'push',
        status: 'failed',
        since: '2026-12-06',
        until: '2026-12-07T00:00:00Z',
        limit: '5',
        cursor: 'c',
      }),
    ).toEqual({
      kind: 'list',
      filter: {
        source: 'github',
        type: 'push',
        status: 'failed',
        since: new Date('2026-12-06T00:00:00.000Z'),
        until: new Date('2026-12-07T00:00:00.000Z'),
      },
      limit: 5,
      cursor: 'c',
    });
  });

  it('reads one record with --receipt', () => {
    expect(deliveriesRequest({ receipt: 'r-1', source: 'ignored' })).toEqual({ kind: 'one', receipt: 'r-1' });
  });

  it.each([
    [{ status: 'lost' }, /--status must be one of queued, processed/],
    [{ limit: '0' }, /--limit must be 1 to 100/],
    [{ limit: 'ten' }, /--limit/],
    [{ since: 'yesterday' }, /--since must be an ISO-8601/],
  ])('refuses %j with a readable message', (args, message) => {
    expect(() => deliveriesRequest(args)).toThrow(message);
  });
});

describe('npm run deliveries: its output', () => {
  it('prints one line per record with status, targets, ids and the replay run', () => {
    expect(deliveryLines([record])).toEqual([
      '2026-12-06T10:00:00.000Z  failed         github  push  attempts=2  targets=audit:invoked,prs:failed  id=d-1  receipt=r-1  replay=replay-1',
    ]);
    expect(deliveryLines([{ ...record, targets: {}, replay: undefined } as DeliveryRecord])[0]).toContain(
      'targets=-  id=d-1  receipt=r-1',
    );
  });

  it('prints one record with each attempt', () => {
    expect(deliveryDetail(record)).toEqual([
      'receipt     r-1',
      'delivery    github push d-1 (provider id gh-1)',
      'received    2026-12-06T10:00:00.000Z (replay replay-1)',
      'status      failed (updated 2026-12-06T10:03:11.009Z)',
      'targets     audit:invoked,prs:failed',
      'archive     events/github/2026/12/06/d-1.json',
      'attempts    2',
      '  1. 2026-12-06T10:00:01.000Z  failed  12 ms  receive 1  TIMEOUT',
      '  2. 2026-12-06T10:03:11.000Z  processed  9 ms',
    ]);
    const { providerId: _p, replay: _r, archiveKey: _a, ...bare } = record;
    expect(deliveryDetail(bare)).toEqual(
      expect.arrayContaining([
        'delivery    github push d-1',
        'received    2026-12-06T10:00:00.000Z',
        'archive     -',
      ]),
    );
  });
});
