import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialiseWebhookMessage, type WebhookMessageMeta } from '../../src/webhooks/message';
import { senders, signGithub, type SchemeSender } from '../../src/webhooks/senders';
import {
  badlySigned,
  buildDelivery,
  handshakeFor,
  loadLocalSources,
  parseExampleEnvironment,
  providerIdFor,
  sendingSource,
  type LocalSources,
  type HandshakeHttpRequest,
  type SendingSource,
  type WebhookHttpRequest,
} from '../../scripts/lib/webhook-requests';
import type { CfnResource } from '../../plugins/local-stack/provision';
import { idKeyedTable } from './emulators';

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
  /** For handshakes: the provider's check of the answer (undefined = the answer completes it). */
  readonly handshakeCheck?: HandshakeHttpRequest['check'];
}

/** The `.env.example` of this checkout, its commented-out example lines included. */
export function exampleEnvironment(): Record<string, string> {
  return parseExampleEnvironment(readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8'));
}

/** An API Gateway (payload v2) `POST /webhooks/{source}` event as serverless-offline builds it. */
export function webhookPostEvent(
  source: string,
  headers: Record<string, string>,
  body: string,
  requestId: string,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  return webhookEvent({ method: 'POST', source, headers, body, requestId, isBase64Encoded });
}

/** An API Gateway (payload v2) `<method> /webhooks/{source}` event as serverless-offline builds it. */
export function webhookEvent(request: {
  method: 'GET' | 'POST';
  source: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  requestId: string;
  isBase64Encoded?: boolean;
  rawQueryString?: string;
}): APIGatewayProxyEventV2 {
  const { method, source, requestId } = request;
  return {
    version: '2.0',
    routeKey: `${method} /webhooks/{source}`,
    rawPath: `/webhooks/${source}`,
    rawQueryString: request.rawQueryString ?? '',
    headers: { host: '127.0.0.1:3000', 'user-agent': 'intake-fixtures/1.0', ...request.headers },
    pathParameters: { source },
    requestContext: {
      accountId: 'offlineContext_accountId',
      apiId: 'offlineContext_apiId',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method,
        path: `/webhooks/${source}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'intake-fixtures/1.0',
      },
      requestId,
      routeKey: `${method} /webhooks/{source}`,
      stage: '$default',
      time: '23/Nov/2026:14:00:00 +0000',
      timeEpoch: 1795269600000,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
}

/** The event of a built request (text bodies as text, as API Gateway passes JSON and forms). */
function eventOf(request: WebhookHttpRequest, source: string, requestId: string): APIGatewayProxyEventV2 {
  return webhookEvent({
    method: request.method,
    source,
    headers: { ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body.toString('utf8') }),
    requestId,
    rawQueryString: request.query,
  });
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

/** A fixed time (2026-11-23T14:00Z) for what is not time-bound: those events are byte-identical between runs. */
export const fixtureEpochSeconds = 1795269600;

/** What the generator made, and the configured sources it could not sign for (scheme not registered). */
export interface WebhookFixtureSet {
  readonly fixtures: WebhookFixture[];
  readonly skipped: LocalSources['skipped'];
  /** Cases not made, and why (a handshake the scheme's sender cannot make for that source's key). */
  readonly notes: string[];
}

/**
 * Every webhook sample event under events/ (`npx tsx scripts/sign-webhook-events.ts` writes them), for
 * every webhook source configured in `env` (`.env.example`'s examples), built by the source's sender
 * (src/webhooks/senders/) whatever its scheme: `webhook-<source>-valid` (202), `-bad-signature` (401: the
 * body changed after signing, or a wrong token for schemes that do not sign the body), `-stale` (401,
 * signed 10 minutes before a fixed past time; senders that sign a timestamp only) and `-handshake` (a
 * 2xx answer the provider's check accepts; senders with a handshake only). Then the special cases of GitHub
 * (missing and malformed signature, base64 body, a signed body that is not JSON), an unknown source, and
 * SQS batches for the worker (ok, duplicate, poison). `nowSeconds` dates the time-bound ones; `registry`
 * is the sender registry (tests may pass their own).
 */
export function webhookFixtures(
  env: NodeJS.ProcessEnv,
  nowSeconds: number,
  registry: Readonly<Record<string, SchemeSender>> = senders,
): WebhookFixtureSet {
  const local = loadLocalSources(env);
  const fixtures: WebhookFixture[] = [];
  const notes: string[] = [];
  for (const source of local.sources.values()) {
    if (source.secrets?.kind !== 'env' && !local.testSigningKeys.has(source.name)) continue;
    fixtures.push(...sourceFixtures(sendingSource(local, source.name, registry), nowSeconds, notes));
  }
  const github = local.sources.get('github');
  if (github?.scheme === 'github' && github.secrets?.kind === 'env')
    fixtures.push(...githubSpecialCases(github.secrets.secrets[0]!));
  fixtures.push(...workerFixtures());
  return { fixtures, skipped: local.skipped, notes };
}

/** valid, bad-signature, stale (timestamped schemes) and handshake (schemes with one) for one source. */
function sourceFixtures(sending: SendingSource, nowSeconds: number, notes: string[]): WebhookFixture[] {
  const { source, sender } = sending;
  const name = (kind: string) => `webhook-${source.name}-${kind}`;
  const timeBound = sender.signsTimestamp;
  const signedAt = timeBound ? nowSeconds : fixtureEpochSeconds;
  const delivery = (kind: string, at: number) =>
    buildDelivery(sending, {
      id: providerIdFor(sender, name(kind)),
      nowSeconds: at,
    });
  const valid = delivery('valid', signedAt);
  const fixtures: WebhookFixture[] = [
    { name: name('valid'), event: eventOf(valid, source.name, name('valid')), expected: 202, timeBound },
    {
      name: name('bad-signature'),
      event: eventOf(
        badlySigned(sending, delivery('bad-signature', signedAt), signedAt),
        source.name,
        name('bad-signature'),
      ),
      expected: 401,
      timeBound,
    },
  ];
  if (sender.signsTimestamp) {
    // Ten minutes before a fixed past time: stale for ever, and byte-identical between runs.
    const stale = delivery('stale', fixtureEpochSeconds - 600);
    fixtures.push({
      name: name('stale'),
      event: eventOf(stale, source.name, name('stale')),
      expected: 401,
      timeBound: false,
    });
  }
  const handshake = handshakeFor(sending, {
    challenge: providerIdFor(sender, name('handshake')),
    nowSeconds: signedAt,
  });
  if (handshake !== undefined && 'notApplicable' in handshake)
    notes.push(`${name('handshake')} not made: ${handshake.notApplicable}`);
  else if (handshake !== undefined)
    fixtures.push({
      name: name('handshake'),
      event: eventOf(handshake, source.name, name('handshake')),
      // The status is the scheme's (200 with a body, 204…): its check says whether the answer is right.
      expected: 200,
      timeBound,
      handshakeCheck: handshake.check,
    });
  return fixtures;
}

/** GitHub's special cases: what a signature header or body can get wrong besides the signature itself. */
function githubSpecialCases(secret: string): WebhookFixture[] {
  const push = JSON.stringify({
    ref: 'refs/heads/main',
    repository: { full_name: 'octo/intake' },
    head_commit: { message: 'Café ✓' },
  });
  const githubHeaders = (body: string | Buffer) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    ...signGithub(secret, body),
  });
  const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x10, 0x80]);
  return [
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
      // A source no scheme is named after, and that no example configures.
      name: 'webhook-unknown-source',
      event: webhookPostEvent('no-such-source', githubHeaders(push), push, 'webhook-unknown-source'),
      expected: 404,
      timeBound: false,
    },
  ];
}

/** SQS batches for webhook-process. */
function workerFixtures(): WebhookFixture[] {
  return [
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
