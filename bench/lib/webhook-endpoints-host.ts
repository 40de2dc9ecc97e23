/**
 * A child process that holds every local endpoint the webhook functions call, so that a benchmark counting
 * its own process's CPU counts none of theirs: the test harness's emulators (fauxqs, dynalite, s3rver behind
 * the local stack's SigV4 proxy, which runs in the harness's process), provisioned with the webhook
 * pipeline's queue, DLQ, bucket and idempotency table, and a stand-in for Lambda's Invoke API that accepts
 * every `Event` invoke (202) as Lambda does. Prints one JSON line (`WebhookEndpoints`), then runs until its
 * stdin closes.
 *
 *   tsx bench/lib/webhook-endpoints-host.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliveriesTable } from '../../test/helpers/deliveries-table';
import { startEmulators } from '../../test/helpers/emulators';
import { webhookPipelineResources } from '../../test/helpers/webhook-fixtures';

export interface WebhookEndpoints {
  /** AWS_REGION, credentials and AWS_ENDPOINT_URL_{S3,SQS,DYNAMODB,LAMBDA}. */
  env: Record<string, string>;
  bucket: string;
  table: string;
  /** The delivery history table (serverless/resources.yml DeliveriesTable). */
  deliveriesTable: string;
  queueUrl: string;
  dlqUrl: string;
}

async function main(): Promise<void> {
  const aws = await startEmulators();
  const resources = webhookPipelineResources({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
  const history = 'intake-test-deliveries';
  await aws.provision({ ...resources.declared, DeliveriesTable: deliveriesTable(history) });
  const lambda = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.statusCode = request.headers['x-amz-invocation-type'] === 'Event' ? 202 : 400;
      response.end();
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  const endpoints: WebhookEndpoints = {
    env: {
      ...aws.env,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
    },
    bucket: resources.bucket,
    table: resources.table,
    deliveriesTable: history,
    queueUrl: aws.queue(resources.queue).url,
    dlqUrl: aws.queue(resources.deadLetterQueue).url,
  };
  process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    lambda.close();
    void aws.stop().finally(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
