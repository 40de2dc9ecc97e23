import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { BadRequestError, DuplicateInFlightError, ThrottledError } from '../../../src/errors';
import { sqsBatchHandler } from '../../../src/middleware/sqs';
import { logger } from '../../../src/observability/logger';
import { lambdaContext } from './events';

function sqsRecord(messageId: string, body = '{}'): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:intake-test-webhooks',
    awsRegion: 'us-east-1',
  };
}

const batch = (...ids: string[]): SQSEvent => ({ Records: ids.map((id) => sqsRecord(id)) });

describe('sqsBatchHandler', () => {
  it('reports no failures when every record succeeds', async () => {
    const handled: string[] = [];
    const handler = sqsBatchHandler(async (record) => {
      handled.push(record.messageId);
    });
    expect(await handler(batch('a', 'b', 'c'), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
  });

  it('reports only the failing records, whatever they threw', async () => {
    const handler = sqsBatchHandler(async (record) => {
      if (record.messageId === 'b') throw new BadRequestError('poison');
      if (record.messageId === 'd')
        throw new ThrottledError('later', { service: 'S3', operation: 'PutObject' });
    });
    expect(await handler(batch('a', 'b', 'c', 'd'), lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'd' }],
    });
  });

  it('fails the whole invocation when every record fails, so the batch is retried', async () => {
    const handler = sqsBatchHandler(async () => {
      throw new Error('down');
    });
    await expect(handler(batch('a', 'b'), lambdaContext())).rejects.toThrow(/All records failed/);
  });

  it('passes the Lambda context to each record handler (idempotency needs it)', async () => {
    const contexts: string[] = [];
    const handler = sqsBatchHandler(async (_record, context) => {
      contexts.push(context.awsRequestId);
    });
    await handler(batch('a'), lambdaContext({ awsRequestId: 'invocation-7' }));
    expect(contexts).toEqual(['invocation-7']);
  });

  it('logs a duplicate in flight at info without a stack, and still reports it for retry', async () => {
    const info = jest.spyOn(logger, 'info');
    const warn = jest.spyOn(logger, 'warn');
    try {
      const handler = sqsBatchHandler(async (record) => {
        if (record.messageId === 'copy') throw new DuplicateInFlightError();
      });
      expect(await handler(batch('first', 'copy'), lambdaContext())).toEqual({
        batchItemFailures: [{ itemIdentifier: 'copy' }],
      });
      expect(warn).not.toHaveBeenCalled();
      const deferred = info.mock.calls.filter(([message]) => String(message).includes('deferred'));
      expect(deferred).toEqual([
        [
          expect.stringContaining('Another copy of this delivery is being processed'),
          { messageId: 'copy', receiveCount: '1', code: 'DUPLICATE_IN_FLIGHT' },
        ],
      ]);
    } finally {
      info.mockRestore();
      warn.mockRestore();
    }
  });

  it('still logs any other failure as a warning with its error', async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      const handler = sqsBatchHandler(async () => {
        throw new Error('down');
      });
      await expect(handler(batch('a'), lambdaContext())).rejects.toThrow();
      expect(warn).toHaveBeenCalledWith(
        'SQS record failed; it will be retried',
        expect.objectContaining({ code: 'INTERNAL', error: expect.any(Error) }),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
