import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { toIntegrationError } from '../../../src/aws/error-mapping';
import { parseScanResultEvent } from '../../../src/documents/malware-scan/scan-result';
import { AppError, ConfigError, DuplicateInFlightError } from '../../../src/errors';
import { sqsBatchHandler, type SqsRecordHandler } from '../../../src/middleware/sqs';
import { parseWebhookMessage } from '../../../src/webhooks/message';
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

/** An SQS stack whose dead-letter route records what it was given (or refuses, when told to). */
function stack(recordHandler: SqsRecordHandler, options: { dlqRefuses?: boolean } = {}) {
  const deadLettered: { messageId: string; code: string }[] = [];
  const handler = sqsBatchHandler(recordHandler, {
    deadLetter: async (record, failure) => {
      if (options.dlqRefuses) throw new Error('the DLQ is down');
      deadLettered.push({ messageId: record.messageId, code: failure.code });
    },
  });
  return { handler, deadLettered };
}

const call = { service: 'S3', operation: 'GetObject' };
// SDK errors as the SDK throws them, built by hand: no emulator can be made to throttle, answer 5xx or
// deny access on demand. error-mapping.test.ts covers the mapping itself.
const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
  toIntegrationError(
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } }),
    call,
  );
const thrownBy = (make: () => unknown) => {
  try {
    make();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

const notRetryable: [string, () => unknown][] = [
  [
    'a queued webhook failing its schema',
    () => thrownBy(() => parseWebhookMessage('not a webhook delivery')),
  ],
  ['a scan result failing its schema', () => thrownBy(() => parseScanResultEvent('{"source":"aws.s3"}'))],
  ['a ConfigError', () => new ConfigError('Invalid configuration', ['DOCUMENTS_BUCKET'])],
  ['AccessDenied', () => sdkError('AccessDenied', 403, 'client')],
  ['NoSuchKey', () => sdkError('NoSuchKey', 404, 'client')],
];
const retryable: [string, () => unknown][] = [
  ['throttling', () => sdkError('ThrottlingException', 400, 'client')],
  ['a 5xx', () => sdkError('InternalError', 500, 'server')],
  ['a duplicate in flight', () => new DuplicateInFlightError()],
  ['an unknown Error', () => new Error('something nobody typed')],
];

describe('sqsBatchHandler', () => {
  it('reports no failures and dead-letters nothing when every record succeeds', async () => {
    const handled: string[] = [];
    const { handler, deadLettered } = stack(async (record) => {
      handled.push(record.messageId);
    });
    expect(await handler(batch('a', 'b', 'c'), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
    expect(deadLettered).toEqual([]);
  });

  it.each(notRetryable)(
    'sends a record failing with %s to the DLQ at once and reports it done (no retries)',
    async (_name, makeError) => {
      const error = makeError() as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect(error.retryable).toBe(false);
      const { handler, deadLettered } = stack(async (record) => {
        if (record.messageId === 'bad') throw error;
      });
      expect(await handler(batch('ok', 'bad'), lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(deadLettered).toEqual([{ messageId: 'bad', code: error.code }]);
    },
  );

  it.each(retryable)(
    'reports a record failing with %s as a batch item failure, to be retried, and never dead-letters it',
    async (_name, makeError) => {
      const { handler, deadLettered } = stack(async (record) => {
        if (record.messageId === 'later') throw makeError();
      });
      expect(await handler(batch('ok', 'later'), lambdaContext())).toEqual({
        batchItemFailures: [{ itemIdentifier: 'later' }],
      });
      expect(deadLettered).toEqual([]);
    },
  );

  it('keeps a non-retryable record a batch item failure when the DLQ refuses it, so nothing is lost', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const { handler } = stack(
        async (record) => {
          if (record.messageId === 'bad') throw new ConfigError('Invalid configuration', ['X']);
        },
        { dlqRefuses: true },
      );
      expect(await handler(batch('ok', 'bad'), lambdaContext())).toEqual({
        batchItemFailures: [{ itemIdentifier: 'bad' }],
      });
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('the DLQ refused it'),
        expect.objectContaining({ messageId: 'bad', code: 'CONFIG', deadLetterError: expect.any(Error) }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('succeeds when every record was dead-lettered: nothing is left to retry', async () => {
    const { handler, deadLettered } = stack(async () => {
      throw new ConfigError('Invalid configuration', ['X']);
    });
    expect(await handler(batch('a', 'b'), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLettered.map(({ messageId }) => messageId).sort()).toEqual(['a', 'b']);
  });

  it('fails the whole invocation when every record fails retryably, so the batch is retried', async () => {
    const { handler } = stack(async () => {
      throw new Error('down');
    });
    await expect(handler(batch('a', 'b'), lambdaContext())).rejects.toThrow(/All records failed/);
  });

  it('passes the Lambda context to each record handler (idempotency needs it)', async () => {
    const contexts: string[] = [];
    const { handler } = stack(async (_record, context) => {
      contexts.push(context.awsRequestId);
    });
    await handler(batch('a'), lambdaContext({ awsRequestId: 'invocation-7' }));
    expect(contexts).toEqual(['invocation-7']);
  });

  it('logs a duplicate in flight at info without a stack, and still reports it for retry', async () => {
    const info = jest.spyOn(logger, 'info');
    const warn = jest.spyOn(logger, 'warn');
    try {
      const { handler } = stack(async (record) => {
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

  it('logs any other retryable failure as a warning with its error', async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      const { handler } = stack(async () => {
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

  it('logs a dead-lettered record as an error naming its code', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const { handler } = stack(async () => {
        parseWebhookMessage('not a webhook delivery');
      });
      await handler(batch('poison'), lambdaContext());
      expect(logged).toHaveBeenCalledWith(
        'SQS record failed and is not retryable: sent to the DLQ',
        expect.objectContaining({ messageId: 'poison', code: 'BAD_REQUEST', error: expect.any(AppError) }),
      );
    } finally {
      logged.mockRestore();
    }
  });
});
