import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as Sqs from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, S3Event, SQSRecord } from 'aws-lambda';
import type * as ClientMock from 'aws-sdk-client-mock';
import type { HttpHandler } from '../../../src/middleware/http';
import type { S3Handler } from '../../../src/middleware/s3';
import type { SqsBatchHandler } from '../../../src/middleware/sqs';
import notFoundEvent from '../../../events/http-not-found.json';
import unknownEvent from '../../../events/document-get-unknown.json';
import createEvent from '../../../events/document-create.json';
import outsideEvent from '../../../events/s3-outside-uploads.json';
import deletedEvent from '../../../events/s3-upload-deleted.json';

const context = { awsRequestId: 'unit', functionName: 'documents' } as Context;
const environment = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  DOCUMENTS_BUCKET: 'intake-test-documents',
  DOCUMENTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/documents',
  SCAN_RESULTS_DLQ_URL: 'http://127.0.0.1:1/000000000000/scan-results-dlq',
  DOCUMENT_PROCESS_FAILURES_QUEUE_URL: 'http://127.0.0.1:1/000000000000/document-process-failures',
  QUOTAS_TABLE: 'intake-test-quotas',
};

// The entry points read their configuration at module scope: each case loads a fresh copy with its env.
// `inIsolation` runs first inside the fresh module registry (to mock the SDK client that copy will use).
function load<H>(
  modulePath: string,
  env: Record<string, string | undefined>,
  inIsolation: () => void = () => undefined,
): H {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: H | undefined;
    jest.isolateModules(() => {
      inIsolation();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(modulePath) as { handler: H }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

describe('documents entry points', () => {
  it('documents-api wires the routes: an unknown id or route answers 404 without touching AWS', async () => {
    const handler = load<HttpHandler>('../../../functions/documents-api', environment);
    expect((await handler(unknownEvent as never, context)).statusCode).toBe(404);
    expect((await handler(notFoundEvent as never, context)).statusCode).toBe(404);
  });

  it('documents-api refuses a call without verified claims with 401, without touching AWS', async () => {
    const handler = load<HttpHandler>('../../../functions/documents-api', environment);
    const event = structuredClone(unknownEvent) as { requestContext: { authorizer?: unknown } };
    delete event.requestContext.authorizer;
    expect((await handler(event as never, context)).statusCode).toBe(401);
  });

  it('documents-api owns documents by DOCUMENTS_OWNER_CLAIM: a token without that claim gets 403', async () => {
    const handler = load<HttpHandler>('../../../functions/documents-api', {
      ...environment,
      DOCUMENTS_OWNER_CLAIM: 'custom:tenant',
    });
    expect((await handler(unknownEvent as never, context)).statusCode).toBe(403);
    const event = structuredClone(unknownEvent) as {
      requestContext: { authorizer: { jwt: { claims: Record<string, string> } } };
    };
    event.requestContext.authorizer.jwt.claims['custom:tenant'] = 'acme';
    expect((await handler(event as never, context)).statusCode).toBe(404);
  });

  it('documents-api reserves uploads in QUOTAS_TABLE with the configured limits: a full day answers 429', async () => {
    // Mocked DynamoDB: only the wiring is under test here (upload-quota.test.ts runs the quota on dynalite).
    let dynamoDb!: ReturnType<typeof ClientMock.mockClient>;
    let UpdateItem!: typeof DynamoDb.UpdateItemCommand;
    try {
      const handler = load<HttpHandler>(
        '../../../functions/documents-api',
        {
          ...environment,
          DOCUMENTS_QUOTA_UPLOADS_PER_DAY: '7',
          DOCUMENTS_QUOTA_BYTES_PER_DAY: '100000',
        },
        () => {
          /* eslint-disable @typescript-eslint/no-require-imports */
          const sdk = require('@aws-sdk/client-dynamodb') as typeof DynamoDb;
          const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
          /* eslint-enable @typescript-eslint/no-require-imports */
          UpdateItem = sdk.UpdateItemCommand;
          dynamoDb = mockClient(sdk.DynamoDBClient);
          dynamoDb.on(UpdateItem).rejects(
            new sdk.ConditionalCheckFailedException({
              message: 'The conditional request failed',
              $metadata: {},
            }),
          );
        },
      );
      const response = await handler(structuredClone(createEvent) as APIGatewayProxyEventV2, context);
      expect(response.statusCode).toBe(429);
      expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
      const [call] = dynamoDb.commandCalls(UpdateItem);
      expect(call!.args[0].input).toMatchObject({
        TableName: 'intake-test-quotas',
        ExpressionAttributeValues: expect.objectContaining({
          ':maxUploads': { N: '7' },
          ':bytesBefore': { N: String(100000 - 48213) },
        }),
      });
    } finally {
      dynamoDb?.restore();
    }
  });

  it('document-process wires the processor: events outside uploads/ and deletions are skipped', async () => {
    const handler = load<S3Handler>('../../../functions/document-process', environment);
    await expect(handler(outsideEvent as S3Event, context)).resolves.toBeUndefined();
    await expect(handler(deletedEvent as S3Event, context)).resolves.toBeUndefined();
  });

  it.each([
    ['no QUOTAS_TABLE', { QUOTAS_TABLE: '' }, /QUOTAS_TABLE is missing/],
    [
      'an invalid DOCUMENTS_OWNER_CLAIM',
      { DOCUMENTS_OWNER_CLAIM: 'not a claim' },
      /DOCUMENTS_OWNER_CLAIM is invalid/,
    ],
    [
      'invalid quota limits',
      { DOCUMENTS_QUOTA_UPLOADS_PER_DAY: '0', DOCUMENTS_QUOTA_BYTES_PER_DAY: 'lots' },
      /DOCUMENTS_QUOTA_UPLOADS_PER_DAY is invalid[\s\S]*DOCUMENTS_QUOTA_BYTES_PER_DAY is invalid/,
    ],
  ])('documents-api refuses to load with %s, naming it', (_name, env, message) => {
    expect(() => load('../../../functions/documents-api', { ...environment, ...env })).toThrow(message);
  });

  it('document-process refuses to load with DOCUMENTS_MALWARE_SCANNING other than true/false, naming it', () => {
    expect(() =>
      load('../../../functions/document-process', { ...environment, DOCUMENTS_MALWARE_SCANNING: 'yes' }),
    ).toThrow(/DOCUMENTS_MALWARE_SCANNING is invalid/);
  });

  /** Loads `modulePath` with SQS mocked (SendMessage accepted): the wiring of the dead-letter route. */
  function loadWithSqs<H>(modulePath: string) {
    let sqs!: ReturnType<typeof ClientMock.mockClient>;
    let SendMessage!: typeof Sqs.SendMessageCommand;
    const handler = load<H>(modulePath, environment, () => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const sdk = require('@aws-sdk/client-sqs') as typeof Sqs;
      const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
      /* eslint-enable @typescript-eslint/no-require-imports */
      SendMessage = sdk.SendMessageCommand;
      sqs = mockClient(sdk.SQSClient);
      sqs.on(SendMessage).resolves({ MessageId: 'sent' });
    });
    const sent = () => sqs.commandCalls(SendMessage).map((call) => call.args[0].input);
    return { handler, sent, restore: () => sqs.restore() };
  }

  // Hostile queue input: a message that is not a scan result (or names another bucket) never crashes the
  // batch: the malformed one goes to the scan results DLQ at once (no retry can fix it), the other is skipped.
  it('document-scan-result sends a malformed message to its DLQ at once and skips other buckets', async () => {
    const { handler, sent, restore } = loadWithSqs<SqsBatchHandler>(
      '../../../functions/document-scan-result',
    );
    const record = (messageId: string, body: string) => ({ messageId, body, attributes: {} }) as SQSRecord;
    const otherBucket = JSON.stringify({
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
      detail: {
        s3ObjectDetails: { bucketName: 'someone-elses-bucket', objectKey: 'uploads/a/b/c', eTag: 'x' },
        scanResultDetails: { scanResultStatus: 'NO_THREATS_FOUND', threats: null },
      },
    });
    const response = await handler(
      { Records: [record('forged', '{"source":"intake.attacker"}'), record('other', otherBucket)] },
      context,
    );
    try {
      expect(response).toEqual({ batchItemFailures: [] });
      expect(sent()).toEqual([
        expect.objectContaining({
          QueueUrl: environment.SCAN_RESULTS_DLQ_URL,
          MessageBody: '{"source":"intake.attacker"}',
        }),
      ]);
    } finally {
      restore();
    }
  });

  it('document-process sends a record that is not an S3 notification to its failure destination at once', async () => {
    const { handler, sent, restore } = loadWithSqs<S3Handler>('../../../functions/document-process');
    try {
      await expect(
        handler({ Records: [{ eventName: 'ObjectCreated:Put' }] } as S3Event, context),
      ).resolves.toBeUndefined();
      expect(sent()).toEqual([
        expect.objectContaining({ QueueUrl: environment.DOCUMENT_PROCESS_FAILURES_QUEUE_URL }),
      ]);
      expect(JSON.parse(sent()[0]!.MessageBody!)).toMatchObject({
        requestContext: { condition: 'NotRetryable' },
        requestPayload: { Records: [{ eventName: 'ObjectCreated:Put' }] },
        responsePayload: { errorCode: 'BAD_REQUEST' },
      });
    } finally {
      restore();
    }
  });

  it.each([
    '../../../functions/document-process',
    '../../../functions/document-scan-result',
    '../../../functions/documents-api',
  ])('%s refuses to load without its configuration, naming what is missing', (modulePath) => {
    expect(() => load(modulePath, { ...environment, DOCUMENTS_BUCKET: '' })).toThrow(
      /DOCUMENTS_BUCKET is missing/,
    );
  });
});
