import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { parseWebhookMessage } from '../../../../src/webhooks/message';
import { senders, signStandard, standardPublicKey } from '../../../../src/webhooks/senders';
import { webhookPostEvent } from '../../../helpers/webhook-fixtures';

const context = {
  awsRequestId: 'unit',
  functionName: 'webhook-receive',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;
const hmacSecret = `whsec_${Buffer.from('handler test standard key').toString('base64')}`;
const signingKey = `whsk_${Buffer.alloc(32, 5).toString('base64')}`;
const environment = {
  AWS_REGION: 'us-east-1',
  DOCUMENTS_BUCKET: 'intake-unit-documents',
  WEBHOOKS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/intake-unit-webhooks',
  DELIVERIES_TABLE: 'intake-unit-deliveries',
  WEBHOOK_SECRET_STANDARD: `${hmacSecret},${standardPublicKey(signingKey)}`,
};

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

describe('functions/webhook-receive.ts with a standard source (SQS mocked: only what is sent is under test)', () => {
  const saved = { ...process.env };
  const sqs = mockClient(SQSClient);
  // The delivery history write: resolved, not under test here.
  const dynamodb = mockClient(DynamoDBClient);
  let handler: Handler;
  beforeAll(() => {
    Object.assign(process.env, environment);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set
    handler = (require('../../../../functions/webhook-receive') as { handler: Handler }).handler;
  });
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sent' });
    dynamodb.reset().on(UpdateItemCommand).resolves({});
  });
  afterAll(() => {
    sqs.restore();
    dynamodb.restore();
    process.env = saved;
  });

  it('answers endpoint verification with the webhook-challenge-response header and queues nothing', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const request = senders.standard.handshake!({
      secret: hmacSecret,
      settings: {},
      challenge: 'ch-1',
      nowSeconds,
    });
    const result = await handler(
      webhookPostEvent('standard', request.headers, request.body!.toString(), 'req-challenge'),
      context,
    );
    expect(result.statusCode).toBe(204);
    const answer = result.headers?.['webhook-challenge-response'];
    expect(answer).toBe(new Webhook(hmacSecret).endpointVerificationResponse('ch-1'));
    expect(
      request.check(result.statusCode!, String(result.body ?? ''), {
        'webhook-challenge-response': String(answer),
      }),
    ).toBeUndefined();
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('queues a v1a delivery under its signed webhook-id, typed from its body', async () => {
    const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
    const headers = signStandard(signingKey, 'msg_v1a_handler', body, Math.floor(Date.now() / 1000));
    const result = await handler(webhookPostEvent('standard', headers, body, 'req-v1a'), context);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(String(result.body))).toEqual({ id: 'msg_v1a_handler' });
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody!);
    expect(sent).toHaveLength(1);
    const message = parseWebhookMessage(sent[0]!);
    expect(message.meta).toMatchObject({ source: 'standard', id: 'msg_v1a_handler', type: 'invoice.paid' });
    expect(message.meta.headers).not.toHaveProperty('webhook-signature');
    expect(message.body).toBe(body);
  });
});
