import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createDynamoDbClient,
  createLambdaClient,
  createS3Client,
  createSqsClient,
} from '../../src/aws/clients';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createHealthHttpHandler } from '../../src/health/health-http';
import { checkIntegrations, type HealthSettings } from '../../src/health/health-report';
import healthTemplate from '../../events/health.json';
import integrationsTemplate from '../../events/health-integrations.json';
import { idKeyedTable, startEmulators, type Emulators } from '../helpers/emulators';

jest.setTimeout(60_000);

describe('health against the real emulators', () => {
  let aws: Emulators;
  let deps: Parameters<typeof checkIntegrations>[0];
  let settings: HealthSettings;
  /** Requests the SDK clients actually sent to the emulators (counted by a middleware on each client). */
  let sent = 0;

  beforeAll(async () => {
    aws = await startEmulators();
    await aws.provision({
      DocumentsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'intake-test-documents' } },
      IdempotencyTable: idKeyedTable('intake-test-idempotency'),
      ...Object.fromEntries(
        [
          'intake-test-webhooks',
          'intake-test-webhooks-dlq',
          'intake-test-documents',
          'intake-test-documents-dlq',
        ].map((QueueName) => [
          QueueName.replace(/-/g, ''),
          { Type: 'AWS::SQS::Queue', Properties: { QueueName } },
        ]),
      ),
    });
    // The shipped client factory, configured as a handler of `npm start` finds its environment.
    const { credentials, env } = aws;
    deps = {
      s3: createS3Client({ credentials }, env),
      sqs: createSqsClient({ credentials }, env),
      dynamoDb: createDynamoDbClient({ credentials }, env),
      lambda: createLambdaClient({ credentials }, env),
    };
    for (const client of Object.values(deps)) {
      (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
        (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
          sent += 1;
          return next(args);
        },
        { step: 'finalizeRequest', name: 'countSent' },
      );
    }
    const queueUrl = (QueueName: string) => aws.queue(QueueName.replace(/-/g, '')).url;
    settings = {
      bucket: 'intake-test-documents',
      queues: {
        webhooks: {
          queueUrl: queueUrl('intake-test-webhooks'),
          dlqUrl: queueUrl('intake-test-webhooks-dlq'),
        },
        documents: {
          queueUrl: queueUrl('intake-test-documents'),
          dlqUrl: queueUrl('intake-test-documents-dlq'),
        },
      },
      tableName: 'intake-test-idempotency',
      lambdaFunctions: [],
      timeoutMs: 1_500,
    };
    await deps.sqs.send(
      new SendMessageCommand({ QueueUrl: settings.queues.webhooks!.queueUrl, MessageBody: '{}' }),
    );
    await deps.sqs.send(
      new SendMessageCommand({ QueueUrl: settings.queues.webhooks!.queueUrl, MessageBody: '{}' }),
    );
  });

  afterAll(async () => {
    Object.values(deps ?? {}).forEach((client) => client.destroy());
    await aws?.stop();
  });

  it('is ok when every emulator answers, with real queue depths', async () => {
    const report = await checkIntegrations(deps, settings);
    expect(report).toMatchObject({
      status: 'ok',
      failing: [],
      checks: {
        s3: { status: 'ok' },
        sqs: {
          status: 'ok',
          queues: { webhooks: { depth: 2, dlqDepth: 0 }, documents: { depth: 0, dlqDepth: 0 } },
        },
        dynamodb: { status: 'ok', tableStatus: 'ACTIVE' },
      },
    });
  });

  it('names s3 with NOT_FOUND when the bucket does not exist', async () => {
    const report = await checkIntegrations(deps, { ...settings, bucket: 'intake-test-missing' });
    expect(report.failing).toEqual(['s3']);
    expect(report.checks.s3?.reason).toMatch(/^NOT_FOUND/);
  });

  it('names dynamodb when the table does not exist', async () => {
    const report = await checkIntegrations(deps, { ...settings, tableName: 'intake-test-missing' });
    expect(report.failing).toEqual(['dynamodb']);
    expect(report.checks.dynamodb?.reason).toBe('NOT_FOUND (ResourceNotFoundException)');
  });

  describe('the health routes over these clients', () => {
    const context = { awsRequestId: 'integration', functionName: 'health' } as Context;
    const event = (template: unknown) => structuredClone(template) as APIGatewayProxyEventV2;
    let clock: number;
    const routes = (cacheSeconds: number) =>
      createHealthHttpHandler({
        checkIntegrations: () => checkIntegrations(deps, settings),
        cacheSeconds,
        now: () => clock,
      });
    /** The requests sent while `work` runs. */
    async function sentDuring(work: () => Promise<unknown>): Promise<number> {
      const before = sent;
      await work();
      return sent - before;
    }
    beforeEach(() => (clock = Date.now()));

    it('answers GET /health 200 {"status":"ok"} without a single request to AWS', async () => {
      const serve = routes(10);
      let status = 0;
      let body = '';
      expect(
        await sentDuring(async () => {
          const response = await serve(event(healthTemplate), context);
          status = response.statusCode;
          body = response.body ?? '';
        }),
      ).toBe(0);
      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    });

    it('answers the integrations route 401 without claims and 403 without intake/admin, sending nothing', async () => {
      const serve = routes(10);
      const anonymous = event(integrationsTemplate);
      delete (anonymous.requestContext as { authorizer?: unknown }).authorizer;
      const reader = event(integrationsTemplate);
      (reader.requestContext as unknown as { authorizer: unknown }).authorizer = {
        jwt: { claims: { sub: 'alice', scope: 'documents/read documents/write' } },
      };
      const statuses: number[] = [];
      expect(
        await sentDuring(async () => {
          statuses.push((await serve(anonymous, context)).statusCode);
          statuses.push((await serve(reader, context)).statusCode);
        }),
      ).toBe(0);
      expect(statuses).toEqual([401, 403]);
    });

    it('answers 200 with the report to an admin token, one round of requests per TTL, shared by concurrent calls', async () => {
      const serve = routes(10);
      let first: { statusCode: number; body?: string } | undefined;
      const round = await sentDuring(async () => (first = await serve(event(integrationsTemplate), context)));
      expect(round).toBeGreaterThanOrEqual(6); // HeadBucket, 4 × GetQueueAttributes, DescribeTable
      expect(first!.statusCode).toBe(200);
      expect(JSON.parse(first!.body!)).toMatchObject({ status: 'ok', checkedAt: expect.any(String) });

      clock += 9_000;
      expect(await sentDuring(() => serve(event(integrationsTemplate), context))).toBe(0);
      clock += 1_000;
      expect(
        await sentDuring(() =>
          Promise.all(Array.from({ length: 10 }, () => serve(event(integrationsTemplate), context))),
        ),
      ).toBe(round);
    });

    it('checks the integrations again on every call when cacheSeconds is 0', async () => {
      const serve = routes(0);
      const once = await sentDuring(() => serve(event(integrationsTemplate), context));
      expect(await sentDuring(() => serve(event(integrationsTemplate), context))).toBe(once);
      expect(once).toBeGreaterThan(0);
    });
  });

  it('answers error naming sqs, within the timeout, once the SQS emulator is stopped', async () => {
    await aws.stopService('sqs');
    const started = Date.now();
    const report = await checkIntegrations(deps, settings);
    const elapsed = Date.now() - started;
    expect(report.status).toBe('error');
    expect(report.failing).toEqual(['sqs']);
    expect(report.checks.sqs?.reason).toMatch(/^(SERVICE_UNAVAILABLE|TIMEOUT)/);
    expect(elapsed).toBeLessThan(settings.timeoutMs + 1_000);
  });
});
