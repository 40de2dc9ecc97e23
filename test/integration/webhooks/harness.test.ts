import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { startEmulators, type Emulators } from '../../helpers/emulators';
import { serveHttpHandler } from '../../helpers/http-server';
import { webhookPipelineResources } from '../../helpers/webhook-fixtures';

jest.setTimeout(60_000);

describe('the test harnesses', () => {
  it('serves a handler as API Gateway v2 would call it: lower-case headers, source path parameter, base64 for binary bodies', async () => {
    const events: APIGatewayProxyEventV2[] = [];
    const http = await serveHttpHandler(async (event) => {
      events.push(event);
      if (event.body === 'crash') throw new Error('boom');
      return { statusCode: 202, headers: { 'x-test': '1' }, body: '{"ok":true}' };
    });
    try {
      const json = await fetch(`${http.url}/webhooks/GitHub`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Custom': 'a' },
        body: '{"é":1}',
      });
      expect(json.status).toBe(202);
      expect(json.headers.get('x-test')).toBe('1');
      expect(events[0]).toMatchObject({
        pathParameters: { source: 'GitHub' },
        body: '{"é":1}',
        isBase64Encoded: false,
        headers: { 'x-custom': 'a' },
      });
      await fetch(`${http.url}/webhooks/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from([0, 255]),
      });
      expect(events[1]).toMatchObject({
        body: Buffer.from([0, 255]).toString('base64'),
        isBase64Encoded: true,
      });
      await fetch(`${http.url}/other`, { method: 'POST', body: 'x' });
      expect(events[2]!.pathParameters).toBeUndefined();
      expect(
        (
          await fetch(`${http.url}/webhooks/x`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'crash',
          })
        ).status,
      ).toBe(599);
    } finally {
      await http.close();
    }
  });

  describe("a queue mapped to an in-process handler (the local stack's event-source mapping)", () => {
    let aws: Emulators;
    const resources = webhookPipelineResources({ visibilityTimeoutSeconds: 1, maxReceiveCount: 5 });
    beforeAll(async () => {
      aws = await startEmulators({ services: ['sqs'] });
      await aws.provision({
        WebhooksDeadLetterQueue: resources.declared.WebhooksDeadLetterQueue!,
        WebhooksQueue: resources.declared.WebhooksQueue!,
      });
    });
    afterAll(async () => {
      await aws?.stop();
    });

    it('deletes what succeeded; reported failures and thrown invocations come back; no batch shares a handler in flight', async () => {
      const seen: string[] = [];
      let failOnce = new Set(['fail-once', 'throw-once']);
      let created = 0;
      const busy = new Set<number>();
      let shared = false;
      const mapping = aws.mapQueue({
        queue: aws.queue(resources.queue),
        batchSize: 1,
        concurrency: 2,
        createHandler: () => {
          const instance = created++;
          return async (event: SQSEvent) => {
            if (busy.has(instance)) shared = true;
            busy.add(instance);
            await new Promise((resolve) => setTimeout(resolve, 20));
            busy.delete(instance);
            const failures = [];
            for (const record of event.Records) {
              seen.push(record.body);
              if (failOnce.has(record.body)) {
                failOnce = new Set([...failOnce].filter((body) => body !== record.body));
                if (record.body === 'throw-once') throw new Error('invocation failed');
                failures.push({ itemIdentifier: record.messageId });
              }
            }
            return { batchItemFailures: failures };
          };
        },
      });
      for (const body of ['ok', 'fail-once', 'throw-once'])
        await aws.sqs.send(
          new SendMessageCommand({ QueueUrl: aws.queue(resources.queue).url, MessageBody: body }),
        );
      await mapping.drained();
      await mapping.stop();
      expect(seen.filter((body) => body === 'ok')).toHaveLength(1);
      expect(seen.filter((body) => body === 'fail-once')).toHaveLength(2);
      expect(seen.filter((body) => body === 'throw-once')).toHaveLength(2);
      expect(await aws.depth(aws.queue(resources.deadLetterQueue).url)).toBe(0);
      expect(shared).toBe(false);
      expect(created).toBeLessThanOrEqual(2);
    });
  });
});
