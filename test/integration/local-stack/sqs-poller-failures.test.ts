import { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalLog } from '../../../plugins/local-stack/log';
import { SqsEventSource } from '../../../plugins/local-stack/sqs-event-source';
import { LOCAL_CREDENTIALS } from '../../../plugins/local-stack/handler-environment';
import { freePort } from '../../helpers/local-stack-process';

describe('SqsEventSource when the SQS emulator is gone', () => {
  it('reports the failure once rather than on every poll, keeps retrying and stops promptly', async () => {
    const port = await freePort();
    const client = new SQSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      useQueueUrlAsEndpoint: false,
      maxAttempts: 1,
    });
    const warnings: string[] = [];
    const log: LocalLog = { info: () => {}, warning: (message) => warnings.push(message), error: () => {} };
    const invoke = jest.fn();
    const source = new SqsEventSource(
      {
        functionKey: 'f',
        functionName: 'svc-f',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:gone',
        queueUrl: `http://127.0.0.1:${port}/000000000000/gone`,
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        enabled: true,
      },
      { client, invoke, region: 'us-east-1', log, errorBackoffMs: 20 },
    );
    source.start();
    source.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stoppedAt = Date.now();
    await source.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('svc-f');
    expect(invoke).not.toHaveBeenCalled();
    client.destroy();
  });
});
