import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { httpHandler } from '../../../../src/middleware/http';
import type { AcceptDependencies } from '../../../../src/webhooks/accept';
import { parseWebhookMessage, type WebhookMessageMeta } from '../../../../src/webhooks/message';
import { createWebhookReceiver } from '../../../../src/webhooks/receiver';
import { webhookPostEvent } from '../../../helpers/webhook-fixtures';

const context = {
  awsRequestId: 'unit',
  functionName: 'webhook-receive',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

/**
 * The real `functions/webhook-receive.ts` handler, loaded with `environment` (WEBHOOK_SECRET_<SOURCE>,
 * WEBHOOK_VERIFY_TOKEN_<SOURCE>…) added to an otherwise minimal one, over a mocked SQS client (only what
 * reaches the queue is under test). `post` sends an API Gateway v2 POST, `get` a GET with a query
 * string; each says what was queued for it.
 */
export function realReceiveEndpoint(environment: Record<string, string>) {
  const saved = { ...process.env };
  const sqs = mockClient(SQSClient);
  // The delivery history write: resolved, not under test here.
  const dynamodb = mockClient(DynamoDBClient);
  let handler: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  beforeAll(() => {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      DOCUMENTS_BUCKET: 'intake-unit-documents',
      WEBHOOKS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/intake-unit-webhooks',
      DELIVERIES_TABLE: 'intake-unit-deliveries',
      ...environment,
    });
    // Not isolated: the handler must share this file's SQSClient class, which the mock replaces.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set
    ({ handler } = require('../../../../functions/webhook-receive') as { handler: typeof handler });
  });
  beforeEach(() => {
    sqs.reset().on(SendMessageCommand).resolves({ MessageId: 'sent' });
    dynamodb.reset().on(UpdateItemCommand).resolves({});
  });
  afterAll(() => {
    sqs.restore();
    dynamodb.restore();
    process.env = saved;
  });

  const send = async (event: APIGatewayProxyEventV2) => {
    const result = await handler(event, context);
    const queued: WebhookMessageMeta[] = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => parseWebhookMessage(call.args[0].input.MessageBody!).meta);
    return { result, queued };
  };
  return {
    post: (source: string, headers: Record<string, string>, body: string) =>
      send(webhookPostEvent(source, headers, body, 'api-req')),
    get: (source: string, rawQueryString: string) => {
      const { body: _body, ...event } = webhookPostEvent(source, {}, '', 'api-req');
      return send({
        ...event,
        routeKey: 'GET /webhooks/{source}',
        rawQueryString,
        requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'GET' } },
      });
    },
  };
}

/** The POST side of realReceiveEndpoint, for sources whose tests send only deliveries. */
export function realReceiveHandler(secrets: Record<string, string>) {
  return realReceiveEndpoint(secrets).post;
}

/**
 * The receiver functions/webhook-receive.ts builds, wrapped as it wraps it (httpHandler), over `deps` in
 * this process with a recording queue: `handle` answers an API Gateway v2 event, `queued` gives the meta
 * of every message queued so far.
 */
export function wrappedReceiver(deps: AcceptDependencies) {
  const sendMessage = jest.fn(async (_text: string) => undefined);
  const handler = httpHandler(
    createWebhookReceiver({
      ...deps,
      sendMessage,
      storeClaim: jest.fn(),
      history: { recordReceived: async () => undefined },
    }),
  );
  return {
    handle: (event: APIGatewayProxyEventV2) => handler(event, context),
    queued: (): WebhookMessageMeta[] =>
      sendMessage.mock.calls.map(([text]) => parseWebhookMessage(text).meta),
  };
}
