import { buildSqsEvent, readBatchItemFailures } from '../../../plugins/local-stack/sqs-event';

describe('buildSqsEvent', () => {
  it('maps an SQS API message to the record Lambda delivers', () => {
    const event = buildSqsEvent(
      [
        {
          MessageId: 'm1',
          ReceiptHandle: 'r1',
          Body: 'hello',
          MD5OfBody: 'md5',
          MD5OfMessageAttributes: 'md5a',
          Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '42' },
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'x' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
          },
        },
      ],
      'arn:aws:sqs:us-east-1:000000000000:q',
      'us-east-1',
    );
    expect(event.Records[0]).toEqual({
      messageId: 'm1',
      receiptHandle: 'r1',
      body: 'hello',
      attributes: expect.objectContaining({
        ApproximateReceiveCount: '3',
        SentTimestamp: '42',
        SenderId: 'LOCAL',
      }),
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'x', stringListValues: [], binaryListValues: [] },
        blob: { dataType: 'Binary', binaryValue: 'aGk=', stringListValues: [], binaryListValues: [] },
      },
      md5OfBody: 'md5',
      md5OfMessageAttributes: 'md5a',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    });
  });

  it('fills the attributes an emulator leaves out', () => {
    const [record] = buildSqsEvent([{ MessageId: 'm', ReceiptHandle: 'r' }], 'arn', 'eu-west-1').Records;
    expect(record!.body).toBe('');
    expect(record!.attributes.ApproximateReceiveCount).toBe('1');
    expect(record!.messageAttributes).toEqual({});
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
  });
});

describe('readBatchItemFailures (Lambda rules for ReportBatchItemFailures)', () => {
  const ids = ['a', 'b', 'c'];

  it.each([undefined, null, '', {}, { batchItemFailures: [] }, { batchItemFailures: null }])(
    'treats %p as every message succeeded',
    (response) => {
      expect(readBatchItemFailures(response, ids)).toEqual({ allFailed: false, failedIds: new Set() });
    },
  );

  it('lists the reported message ids as the only failures', () => {
    expect(readBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids)).toEqual({
      allFailed: false,
      failedIds: new Set(['b']),
    });
  });

  it.each([
    ['a string', 'not json'],
    ['a list', []],
    ['a non-list', { batchItemFailures: 'b' }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misnamed key', { batchItemFailures: [{ id: 'a' }] }],
    ['an unknown id', { batchItemFailures: [{ itemIdentifier: 'z' }] }],
    ['a null entry', { batchItemFailures: [null] }],
  ])('fails the whole batch on %s', (_label, response) => {
    expect(readBatchItemFailures(response, ids)).toEqual({ allFailed: true });
  });
});
