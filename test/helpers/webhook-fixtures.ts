import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { serialiseWebhookMessage, type WebhookMessageMeta } from '../../src/webhooks/message';
import { signGenericHmac, signGithub, signStandard, signStripe } from '../../src/webhooks/senders';
import type { CfnResource } from '../../plugins/local-stack/provision';
import { idKeyedTable } from './emulators';

/** The test secrets of the fixture sources (the `.env.example` values). */
export interface FixtureSecrets {
  readonly github: string;
  readonly stripe: string;
  readonly standard: string;
  /** The generic `hmac-sha256` source `acme` (see `.env.example`); its fixture is skipped when absent. */
  readonly acme?: string;
}

/** The `.env.example` lines that configure the fixture sources, for local runs and `sls invoke local`. */
export const fixtureSourceVariables = (secrets: FixtureSecrets): Record<string, string> => ({
  WEBHOOK_SECRET_GITHUB: secrets.github,
  WEBHOOK_SECRET_STRIPE: secrets.stripe,
  WEBHOOK_SECRET_STANDARD: secrets.standard,
  ...(secrets.acme === undefined ? {} : { WEBHOOK_SECRET_ACME: secrets.acme }),
  WEBHOOK_SCHEME_ACME: 'hmac-sha256',
  WEBHOOK_SIGNATURE_HEADER_ACME: 'x-acme-signature',
  WEBHOOK_SIGNATURE_ENCODING_ACME: 'hex',
  WEBHOOK_SIGNATURE_PREFIX_ACME: 'sha256=',
  WEBHOOK_ID_HEADER_ACME: 'x-acme-delivery',
  WEBHOOK_EVENT_HEADER_ACME: 'x-acme-event',
});

/** One sample event: its file name (without `.json`), the event, and what the function should answer. */
export interface WebhookFixture {
  readonly name: string;
  readonly event: APIGatewayProxyEventV2 | SQSEvent;
  /** HTTP status for API Gateway events; for SQS batches, the message ids that must be reported as failed. */
  readonly expected: number | readonly string[];
  /** For SQS batches: the message ids sent to the DLQ at once (not retryable), never reported as failed. */
  readonly deadLettered?: readonly string[];
  /** True when the signature carries a timestamp: tests re-sign it with the current time. */
  readonly timeBound: boolean;
}

/** An API Gateway (payload v2) `POST /webhooks/{source}` event as serverless-offline builds it. */
export function webhookPostEvent(
  source: string,
  headers: Record<string, string>,
  body: string,
  requestId: string,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{source}',
    rawPath: `/webhooks/${source}`,
    rawQueryString: '',
    headers: { host: '127.0.0.1:3000', 'user-agent': 'intake-fixtures/1.0', ...headers },
    pathParameters: { source },
    requestContext: {
      accountId: 'offlineContext_accountId',
      apiId: 'offlineContext_apiId',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: 'POST',
        path: `/webhooks/${source}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'intake-fixtures/1.0',
      },
      requestId,
      routeKey: 'POST /webhooks/{source}',
      stage: '$default',
      time: '23/Nov/2026:14:00:00 +0000',
      timeEpoch: 1795269600000,
    },
    body,
    isBase64Encoded,
  };
}

function sqsBatch(messages: { id: string; body: string }[]): SQSEvent {
  return {
    Records: messages.map(({ id, body }) => ({
      messageId: id,
      receiptHandle: `receipt-${id}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1795269600000',
        SenderId: 'AIDAFIXTURE',
        ApproximateFirstReceiveTimestamp: '1795269600000',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:intake-local-webhooks',
      awsRegion: 'us-east-1',
    })),
  };
}

const queued = (meta: Partial<WebhookMessageMeta> & Pick<WebhookMessageMeta, 'id'>, body: string) =>
  serialiseWebhookMessage({
    meta: {
      v: 1,
      source: 'github',
      type: 'push',
      receivedAt: '2026-11-23T14:00:00.000Z',
      encoding: 'utf8',
      headers: { 'content-type': 'application/json' },
      ...meta,
    },
    body,
  });

/**
 * Every webhook sample event under events/ (`npm run`-free: `npx tsx scripts/sign-webhook-events.ts`
 * writes them): API Gateway v2 POSTs for each scheme — valid, tampered, stale, missing header, base64
 * body — and SQS batches for the worker (ok, duplicate, poison). `nowSeconds` dates the time-bound ones.
 */
export function webhookFixtures(secrets: FixtureSecrets, nowSeconds: number): WebhookFixture[] {
  const push = JSON.stringify({
    ref: 'refs/heads/main',
    repository: { full_name: 'octo/intake' },
    head_commit: { message: 'Café ✓' },
  });
  const githubHeaders = (body: string | Buffer) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    ...signGithub(secrets.github, body),
  });
  const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x10, 0x80]);
  const stripeEvent = JSON.stringify({
    id: 'evt_1QFixture0000000001',
    object: 'event',
    api_version: '2024-06-20',
    created: 1795269600,
    data: { object: { id: 'pi_1', object: 'payment_intent', amount: 2000 } },
    livemode: false,
    type: 'payment_intent.succeeded',
  });
  const standardEvent = JSON.stringify({
    type: 'invoice.paid',
    timestamp: '2026-11-23T14:00:00Z',
    data: { invoice: 'in_1', amount: 1200 },
  });
  const acmeOrder = JSON.stringify({ order: 1001, total: '19.99' });
  const acmeOptions = { header: 'x-acme-signature', encoding: 'hex', prefix: 'sha256=' } as const;
  // A fixed past time keeps the stale fixtures byte-identical between runs (and stale for ever).
  const stale = 1795266000;
  return [
    {
      name: 'webhook-github-valid',
      event: webhookPostEvent('github', githubHeaders(push), push, 'webhook-github-valid'),
      expected: 202,
      timeBound: false,
    },
    {
      name: 'webhook-github-tampered',
      event: webhookPostEvent(
        'github',
        githubHeaders(push),
        push.replace('main', 'evil'),
        'webhook-github-tampered',
      ),
      expected: 401,
      timeBound: false,
    },
    {
      name: 'webhook-github-missing-signature',
      event: webhookPostEvent(
        'github',
        {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0959',
        },
        push,
        'webhook-github-missing-signature',
      ),
      expected: 401,
      timeBound: false,
    },
    {
      name: 'webhook-github-malformed-signature',
      event: webhookPostEvent(
        'github',
        { ...githubHeaders(push), 'x-hub-signature-256': 'sha1=0123' },
        push,
        'webhook-github-malformed-signature',
      ),
      expected: 400,
      timeBound: false,
    },
    {
      // API Gateway base64-encodes a body sent as application/octet-stream: verified and kept as bytes.
      name: 'webhook-github-base64',
      event: webhookPostEvent(
        'github',
        {
          ...githubHeaders(Buffer.from(push)),
          'content-type': 'application/octet-stream',
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0960',
        },
        Buffer.from(push).toString('base64'),
        'webhook-github-base64',
        true,
      ),
      expected: 202,
      timeBound: false,
    },
    {
      // Signed, but not JSON: GitHub payloads are JSON objects, so 400 INVALID_JSON, never queued.
      name: 'webhook-github-not-json',
      event: webhookPostEvent(
        'github',
        {
          ...githubHeaders(binary),
          'content-type': 'application/octet-stream',
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0961',
        },
        binary.toString('base64'),
        'webhook-github-not-json',
        true,
      ),
      expected: 400,
      timeBound: false,
    },
    {
      name: 'webhook-unknown-source',
      event: webhookPostEvent('gitlab', githubHeaders(push), push, 'webhook-unknown-source'),
      expected: 404,
      timeBound: false,
    },
    {
      name: 'webhook-stripe-valid',
      event: webhookPostEvent(
        'stripe',
        { 'content-type': 'application/json', ...signStripe(secrets.stripe, stripeEvent, nowSeconds) },
        stripeEvent,
        'webhook-stripe-valid',
      ),
      expected: 202,
      timeBound: true,
    },
    {
      name: 'webhook-stripe-stale',
      event: webhookPostEvent(
        'stripe',
        { 'content-type': 'application/json', ...signStripe(secrets.stripe, stripeEvent, stale) },
        stripeEvent,
        'webhook-stripe-stale',
      ),
      expected: 401,
      timeBound: false,
    },
    {
      name: 'webhook-standard-valid',
      event: webhookPostEvent(
        'standard',
        {
          'content-type': 'application/json',
          ...signStandard(secrets.standard, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', standardEvent, nowSeconds),
        },
        standardEvent,
        'webhook-standard-valid',
      ),
      expected: 202,
      timeBound: true,
    },
    {
      name: 'webhook-standard-stale',
      event: webhookPostEvent(
        'standard',
        {
          'content-type': 'application/json',
          ...signStandard(secrets.standard, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4X', standardEvent, stale),
        },
        standardEvent,
        'webhook-standard-stale',
      ),
      expected: 401,
      timeBound: false,
    },
    ...(secrets.acme === undefined
      ? []
      : [
          {
            name: 'webhook-hmac-valid',
            event: webhookPostEvent(
              'acme',
              {
                'content-type': 'application/json',
                'x-acme-delivery': 'order-1001-created',
                'x-acme-event': 'orders.created',
                ...signGenericHmac(secrets.acme, acmeOrder, acmeOptions),
              },
              acmeOrder,
              'webhook-hmac-valid',
            ),
            expected: 202,
            timeBound: false,
          },
        ]),
    {
      name: 'webhook-sqs-ok',
      event: sqsBatch([
        { id: 'msg-ok-1', body: queued({ id: 'fixture-ok-1' }, '{"n":1}') },
        {
          id: 'msg-ok-2',
          body: queued({ id: 'fixture-ok-2', source: 'stripe', type: 'invoice.paid' }, '{"n":2}'),
        },
      ]),
      expected: [],
      timeBound: false,
    },
    {
      name: 'webhook-sqs-duplicate',
      event: sqsBatch([
        { id: 'msg-dup-1', body: queued({ id: 'fixture-dup' }, '{"n":1}') },
        {
          id: 'msg-dup-2',
          body: queued({ id: 'fixture-dup', receivedAt: '2026-11-23T14:00:05.000Z' }, '{"n":1}'),
        },
      ]),
      // Processed once. (When the two run concurrently the second finds the first in progress and fails, to
      // be retried after the visibility timeout and then skipped as a duplicate.)
      expected: [],
      timeBound: false,
    },
    {
      name: 'webhook-sqs-poison',
      event: sqsBatch([
        { id: 'msg-poison', body: 'this is not a webhook delivery' },
        { id: 'msg-fine', body: queued({ id: 'fixture-after-poison' }, '{"n":3}') },
      ]),
      // Not a webhook message: no retry can help, so it goes to the DLQ at once, not back to the queue.
      expected: [],
      deadLettered: ['msg-poison'],
      timeBound: false,
    },
  ];
}

/**
 * The resources of the webhook pipeline (archive bucket, queue with its DLQ, idempotency table) declared
 * as serverless/resources.yml declares them, for the harness to provision; with their names and logical ids.
 */
export function webhookPipelineResources(options: {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}) {
  const bucket = 'intake-test-documents';
  const table = 'intake-test-idempotency';
  const declared: Record<string, CfnResource> = {
    DocumentsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucket } },
    WebhooksDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: 'intake-test-webhooks-dlq' },
    },
    WebhooksQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'intake-test-webhooks',
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['WebhooksDeadLetterQueue', 'Arn'] },
          maxReceiveCount: options.maxReceiveCount,
        },
      },
    },
    IdempotencyTable: idKeyedTable(table),
  };
  return { declared, bucket, table, queue: 'WebhooksQueue', deadLetterQueue: 'WebhooksDeadLetterQueue' };
}
