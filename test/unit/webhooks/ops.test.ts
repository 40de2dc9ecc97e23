import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { bar, clientEnvironment, clientOverrides, progressLine } from '../../../scripts/lib/ops-cli';
import { redriveDeadLetters } from '../../../src/webhooks/ops/redrive';
import { resolveOpsTarget } from '../../../scripts/lib/ops-target';

describe('resolveOpsTarget', () => {
  it('targets a deployed stage by queue names and DOCUMENTS_BUCKET', () => {
    expect(resolveOpsTarget('dev', { AWS_REGION: 'eu-west-1', DOCUMENTS_BUCKET: 'b' }, '/x')).toEqual({
      stage: 'dev',
      region: 'eu-west-1',
      queueName: 'intake-dev-webhooks',
      dlqName: 'intake-dev-webhooks-dlq',
      deliveriesTable: 'intake-dev-deliveries',
      webhookControlsTable: 'intake-dev-webhook-controls',
      bucket: 'b',
    });
  });

  it('targets the running local stack from its state file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-'));
    const stateFile = join(dir, 'state.json');
    writeFileSync(
      stateFile,
      JSON.stringify({
        stage: 'local',
        pid: process.pid,
        region: 'us-east-1',
        credentials: { accessKeyId: 'stack-key', secretAccessKey: 'stack-secret' },
        emulators: {
          s3: { endpoint: 'http://127.0.0.1:1' },
          sqs: { endpoint: 'http://127.0.0.1:2' },
          dynamodb: { endpoint: 'http://127.0.0.1:3' },
        },
        resources: {
          buckets: [{ logicalId: 'DocumentsBucket', name: 'docs' }],
          queues: [
            { logicalId: 'WebhooksQueue', url: 'http://q' },
            { logicalId: 'WebhooksDeadLetterQueue', url: 'http://dlq' },
          ],
        },
      }),
    );
    const target = resolveOpsTarget('local', { INTAKE_STATE_FILE: stateFile }, '/x');
    expect(target).toMatchObject({
      bucket: 'docs',
      queueUrl: 'http://q',
      dlqUrl: 'http://dlq',
      deliveriesTable: 'intake-local-deliveries',
      webhookControlsTable: 'intake-local-webhook-controls',
      endpoints: { s3: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', dynamodb: 'http://127.0.0.1:3' },
    });
    expect(clientEnvironment(target, {})).toMatchObject({
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:3',
    });
    expect(clientOverrides(target)).toEqual({
      credentials: { accessKeyId: 'stack-key', secretAccessKey: 'stack-secret' },
    });
  });

  it('refuses a state file that names no credentials (an older stack), saying to restart it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-'));
    const stateFile = join(dir, 'state.json');
    writeFileSync(
      stateFile,
      JSON.stringify({
        stage: 'local',
        pid: process.pid,
        region: 'us-east-1',
        emulators: { s3: { endpoint: 'http://127.0.0.1:1' }, sqs: { endpoint: 'http://127.0.0.1:2' } },
        resources: { buckets: [], queues: [] },
      }),
    );
    expect(() => resolveOpsTarget('local', { INTAKE_STATE_FILE: stateFile }, '/x')).toThrow(/restart it/);
  });

  it('says how to start a local stack when none runs', () => {
    expect(() => resolveOpsTarget('local', { INTAKE_STATE_FILE: '/nonexistent/state.json' }, '/x')).toThrow(
      /npm start/,
    );
  });

  it('uses plain AWS settings for a deployed stage', () => {
    const target = resolveOpsTarget('prod', {}, '/x');
    expect(clientEnvironment(target, { A: '1' })).toEqual({ A: '1', AWS_REGION: 'us-east-1' });
    expect(clientOverrides(target)).toEqual({});
  });
});

describe('progress display', () => {
  it('draws a bar and redraws one line on a terminal only', () => {
    expect(bar(5, 10)).toBe('[##########..........]');
    expect(bar(0, 0)).toBe('[....................]');
    const written: string[] = [];
    const tty = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const line = progressLine(tty);
    line.update('one');
    line.done();
    expect(written).toEqual(['\r\u001b[2Kone', '\n']);
    const pipe = {
      isTTY: false,
      write: () => {
        throw new Error('no output when piped');
      },
    } as unknown as NodeJS.WriteStream;
    progressLine(pipe).update('x');
    progressLine(pipe).done();
  });
});

// fauxqs has no message move tasks: the AWS path is checked against a mocked SQS.
describe('redriveDeadLetters with StartMessageMoveTask (AWS)', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it('starts a move task from the DLQ to the queue and reports the moved count when it completes', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'dlq' }).resolves({ Attributes: { QueueArn: 'arn:dlq' } });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: 'queue' })
      .resolves({ Attributes: { QueueArn: 'arn:queue' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 2 }],
      })
      .resolves({
        Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 5 }],
      });
    const progress: number[] = [];
    const moved = await redriveDeadLetters({
      sqs: new SQSClient({ region: 'us-east-1' }),
      sourceQueueUrl: 'queue',
      dlqUrl: 'dlq',
      mode: 'move-task',
      pollIntervalMs: 1,
      onProgress: (count) => progress.push(count),
    });
    expect(moved).toBe(5);
    expect(progress).toEqual([2, 5]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: 'arn:dlq',
      DestinationArn: 'arn:queue',
    });
  });

  it('fails with the task failure reason', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:x' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 't' });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolves({ Results: [{ TaskHandle: 't', Status: 'FAILED', FailureReason: 'AccessDenied' }] });
    await expect(
      redriveDeadLetters({
        sqs: new SQSClient({ region: 'us-east-1' }),
        sourceQueueUrl: 'q',
        dlqUrl: 'd',
        mode: 'move-task',
        pollIntervalMs: 1,
      }),
    ).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringContaining('AccessDenied') }) as unknown,
    });
  });
});
