import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

const context = {
  awsRequestId: 'unit',
  functionName: 'webhook',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;
const environment = {
  AWS_REGION: 'us-east-1',
  DOCUMENTS_BUCKET: 'intake-unit-documents',
  WEBHOOKS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/intake-unit-webhooks',
  IDEMPOTENCY_TABLE: 'intake-unit-idempotency',
  WEBHOOK_CONTROLS_TABLE: 'intake-unit-webhook-controls',
  WEBHOOKS_DLQ_URL: 'http://127.0.0.1:9/000000000000/intake-unit-webhooks-dlq',
  DELIVERIES_TABLE: 'intake-unit-deliveries',
  WEBHOOKS_MAX_RECEIVE_COUNT: '5',
  WEBHOOK_SECRET_GITHUB: 'unit test github secret',
  WEBHOOK_FUNCTION_PREFIX: 'intake-unit-',
};

describe('webhook entry points (functions/webhook-*.ts)', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, environment));
  afterAll(() => {
    process.env = saved;
  });

  it('webhook-receive builds its handler at load and answers an unknown source 404 without any AWS call', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set
    const { handler } = require('../../../functions/webhook-receive') as unknown as {
      handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode: number }>;
    };
    const event = {
      headers: {},
      pathParameters: { source: 'nope' },
      body: '{}',
      isBase64Encoded: false,
      requestContext: { requestId: 'r' },
    } as unknown as APIGatewayProxyEventV2;
    expect((await handler(event, context)).statusCode).toBe(404);
  });

  it('webhook-process loads its routes and sends a poison message to WEBHOOKS_DLQ_URL at once, not for retry', async () => {
    // SQS mocked: only the wiring of the dead-letter route is under test (the integration test runs fauxqs).
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sent' });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set
      const { handler } = require('../../../functions/webhook-process') as unknown as {
        handler: (event: SQSEvent, context: Context) => Promise<unknown>;
      };
      const event = { Records: [{ messageId: 'm1', body: 'poison', attributes: {} }] } as unknown as SQSEvent;
      expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
      expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
        expect.objectContaining({ QueueUrl: environment.WEBHOOKS_DLQ_URL, MessageBody: 'poison' }),
      ]);
    } finally {
      sqs.restore();
    }
  });

  it('webhook-sample-downstream prints one line per event and never throws', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set
    const { handler } = require('../../../functions/webhook-sample-downstream') as {
      handler: (event: unknown) => Promise<void>;
    };
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await handler({
      kind: 'intake.webhook',
      source: 'github',
      type: 'push',
      id: 'd-1',
      encoding: 'utf8',
      body: '{}',
    });
    await handler('garbage');
    const lines = write.mock.calls
      .map(([text]) => String(text))
      .filter((text) => text.startsWith('INTAKE_WEBHOOK_DOWNSTREAM'));
    write.mockRestore();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"id":"d-1"');
  });
});
