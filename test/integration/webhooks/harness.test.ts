import '../../helpers/quiet';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { startEmulatedAws, type EmulatedAws } from '../../helpers/emulated-aws';
import { serveHttpHandler } from '../../helpers/http-server';
import { pollQueue } from '../../helpers/queue-poller';

jest.setTimeout(60_000);

describe('the reliability/fuzz harness', () => {
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

  describe('pollQueue on fauxqs', () => {
    let aws: EmulatedAws;
    beforeAll(async () => {
      aws = await startEmulatedAws({ visibilityTimeoutSeconds: 1, maxReceiveCount: 5 });
    });
    afterAll(async () => {
      await aws?.stop();
    });

    it('deletes what succeeded, lets reported failures and failed invocations come back', async () => {
      const seen: string[] = [];
      let failOnce = new Set(['fail-once', 'throw-once']);
      const poller = pollQueue({
        sqs: aws.sqs,
        queueUrl: aws.queueUrl,
        pollers: 2,
        createHandler: () => async (event: SQSEvent) => {
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
        },
      });
      for (const body of ['ok', 'fail-once', 'throw-once'])
        await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: body }));
      const deadline = Date.now() + 20_000;
      while (poller.handled() < 3 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await poller.stop();
      expect(poller.handled()).toBe(3);
      expect(seen.filter((body) => body === 'fail-once')).toHaveLength(2);
      expect(seen.filter((body) => body === 'throw-once').length).toBeGreaterThanOrEqual(2);
    });
  });
});
