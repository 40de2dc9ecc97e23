import { SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsFailureDestination } from '../../../src/aws/async-failure-destination';
import { FAILURE_CODE_ATTRIBUTE, sqsDeadLetterQueue } from '../../../src/aws/sqs-dead-letter';
import { AccessDeniedError, BadRequestError, ThrottledError } from '../../../src/errors';

// SQS mocked here for the exact request and the error paths (a queue that throttles or denies); the
// integration test over fauxqs (test/integration/webhooks/non-retryable.test.ts) sends for real.
const client = new SQSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const sqs = mockClient(client);
afterEach(() => sqs.reset());

const dlqUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/intake-dev-webhooks-dlq';
const record = (messageAttributes: SQSRecord['messageAttributes'] = {}) =>
  ({ messageId: 'm-1', body: 'not a webhook delivery', messageAttributes }) as SQSRecord;
const sent = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
const throttled = () =>
  new SQSServiceException({
    name: 'RequestThrottled',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'slow down',
  });

describe('sqsDeadLetterQueue', () => {
  it("sends the record's body and attributes to the DLQ, with the failure's code as one more attribute", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    await sqsDeadLetterQueue(client, dlqUrl)(
      record({
        trace: { dataType: 'String', stringValue: 'abc' },
        blob: { dataType: 'Binary', binaryValue: Buffer.from('bytes').toString('base64') },
      } as unknown as SQSRecord['messageAttributes']),
      new BadRequestError('poison'),
    );
    expect(sent()).toEqual([
      {
        QueueUrl: dlqUrl,
        MessageBody: 'not a webhook delivery',
        MessageAttributes: {
          trace: { DataType: 'String', StringValue: 'abc' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('bytes') },
          [FAILURE_CODE_ATTRIBUTE]: { DataType: 'String', StringValue: 'BAD_REQUEST' },
        },
      },
    ]);
  });

  it('keeps all ten attributes of a full message and adds no failure code (SQS allows ten)', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    const ten = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [
        `a${index}`,
        { dataType: 'String', stringValue: `${index}` },
      ]),
    ) as unknown as SQSRecord['messageAttributes'];
    await sqsDeadLetterQueue(client, dlqUrl)(record(ten), new BadRequestError('poison'));
    expect(Object.keys(sent()[0]!.MessageAttributes!)).toHaveLength(10);
    expect(sent()[0]!.MessageAttributes![FAILURE_CODE_ATTRIBUTE]).toBeUndefined();
  });

  it('rejects with a typed error when the DLQ does not take the message', async () => {
    sqs.on(SendMessageCommand).rejects(throttled());
    await expect(
      sqsDeadLetterQueue(client, dlqUrl)(record(), new BadRequestError('poison')),
    ).rejects.toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      service: 'SQS',
      operation: 'SendMessage',
      resource: dlqUrl,
    });
  });
});

describe('sqsFailureDestination', () => {
  const failuresUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/intake-dev-document-process-failures';
  const context = {
    awsRequestId: 'req-1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:intake-dev-document-process',
    functionVersion: '$LATEST',
  } as Context;
  const failure = new AccessDeniedError('S3 GetObject was denied', { service: 'S3', operation: 'GetObject' });

  it("writes Lambda's on-failure record, with condition NotRetryable and the error, to the queue", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'f-1' });
    const event = { Records: [{ eventName: 'ObjectCreated:Put' }] };
    await sqsFailureDestination(client, failuresUrl)({ event, failure, context });
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.QueueUrl).toBe(failuresUrl);
    expect(JSON.parse(sent()[0]!.MessageBody!)).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestContext: {
        requestId: 'req-1',
        functionArn: context.invokedFunctionArn,
        condition: 'NotRetryable',
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Handled' },
      responsePayload: {
        errorType: 'AccessDeniedError',
        errorCode: 'ACCESS_DENIED',
        errorMessage: 'S3 GetObject was denied',
      },
    });
  });

  it('rejects with a typed error when the queue does not take the record', async () => {
    sqs.on(SendMessageCommand).rejects(throttled());
    await expect(
      sqsFailureDestination(client, failuresUrl)({ event: {}, failure, context }),
    ).rejects.toBeInstanceOf(ThrottledError);
  });
});
