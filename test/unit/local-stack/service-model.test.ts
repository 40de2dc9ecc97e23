import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AsyncFailureRecord } from '../../../plugins/local-stack/async-invoke';
import type { IntrinsicContext } from '../../../plugins/local-stack/intrinsics';
import type { LocalLog } from '../../../plugins/local-stack/log';
import type { ProvisionedQueue } from '../../../plugins/local-stack/provision';
import {
  asyncInvokePolicy,
  functionLogicalId,
  functionResourceValues,
  readS3Subscriptions,
  readSqsMappings,
  resolveEnvironment,
  type FunctionDefinition,
} from '../../../plugins/local-stack/service-model';

const context: IntrinsicContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'svc-local',
  resources: new Map([
    ['Docs', { ref: 'svc-local-docs', attributes: { Arn: 'arn:aws:s3:::svc-local-docs' } }],
    ['Jobs', { ref: 'http://q/jobs', attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:jobs' } }],
  ]),
};
const queues: ProvisionedQueue[] = [
  { logicalId: 'Jobs', name: 'jobs', url: 'http://q/jobs', arn: 'arn:aws:sqs:us-east-1:000000000000:jobs' },
];

function recordingLog() {
  const messages: string[] = [];
  const log: LocalLog = {
    info: (message) => messages.push(message),
    warning: (message) => messages.push(message),
    error: (message) => messages.push(message),
  };
  return { log, messages };
}

describe('functionLogicalId', () => {
  it.each([
    ['health', 'HealthLambdaFunction'],
    ['not-found', 'NotDashfoundLambdaFunction'],
    ['webhook_receive', 'WebhookUnderscorereceiveLambdaFunction'],
  ])('names %s as the framework does: %s', (key, expected) => {
    expect(functionLogicalId(key)).toBe(expected);
  });

  it('gives every function a Ref (its name) and an Arn', () => {
    const values = functionResourceValues({ health: { name: 'svc-local-health' } }, 'eu-west-1', '1');
    expect(values.get('HealthLambdaFunction')).toEqual({
      ref: 'svc-local-health',
      attributes: { Arn: 'arn:aws:lambda:eu-west-1:1:function:svc-local-health' },
    });
  });
});

describe('readS3Subscriptions', () => {
  it('reads the string and the object form, with rules and a default event', () => {
    const functions: Record<string, FunctionDefinition> = {
      a: { name: 'svc-a', events: [{ s3: 'plain-bucket' }, { httpApi: 'GET /' }] },
      b: {
        name: 'svc-b',
        events: [
          {
            s3: {
              bucket: { Ref: 'Docs' },
              event: 's3:ObjectCreated:Put',
              rules: [{ prefix: 'uploads/' }, { suffix: '.pdf' }],
            },
          },
        ],
      },
      c: { name: 'svc-c' },
    };
    expect(readS3Subscriptions(functions, context)).toEqual([
      { functionKey: 'a', functionName: 'svc-a', bucket: 'plain-bucket', events: ['s3:ObjectCreated:*'] },
      {
        functionKey: 'b',
        functionName: 'svc-b',
        bucket: 'svc-local-docs',
        events: ['s3:ObjectCreated:Put'],
        prefix: 'uploads/',
        suffix: '.pdf',
      },
    ]);
  });
});

describe('readSqsMappings', () => {
  it('applies AWS defaults to the short forms (a literal ARN or a GetAtt)', () => {
    const functions: Record<string, FunctionDefinition> = {
      literal: { name: 'svc-literal', events: [{ sqs: 'arn:aws:sqs:us-east-1:000000000000:jobs' }] },
      getatt: { name: 'svc-getatt', events: [{ sqs: { 'Fn::GetAtt': ['Jobs', 'Arn'] } }] },
    };
    const mappings = readSqsMappings(functions, context, queues, recordingLog().log);
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        queueUrl: 'http://q/jobs',
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        enabled: true,
      });
      expect(mapping.maximumConcurrency).toBeUndefined();
    }
  });

  it('reads batch size, window, concurrency, response type and enabled from the object form', () => {
    const functions: Record<string, FunctionDefinition> = {
      f: {
        name: 'svc-f',
        events: [
          {
            sqs: {
              arn: { 'Fn::GetAtt': ['Jobs', 'Arn'] },
              batchSize: 50,
              maximumBatchingWindow: 3,
              maximumConcurrency: 2,
              functionResponseType: 'ReportBatchItemFailures',
              enabled: false,
            },
          },
        ],
      },
    };
    expect(readSqsMappings(functions, context, queues, recordingLog().log)[0]).toMatchObject({
      batchSize: 50,
      maximumBatchingWindowSeconds: 3,
      maximumConcurrency: 2,
      reportBatchItemFailures: true,
      enabled: false,
    });
  });

  it('reports and skips a queue that is not part of the stack', () => {
    const { log, messages } = recordingLog();
    const functions = { f: { name: 'svc-f', events: [{ sqs: 'arn:aws:sqs:us-east-1:1:elsewhere' }] } };
    expect(readSqsMappings(functions, context, queues, log)).toEqual([]);
    expect(messages.join()).toContain('elsewhere');
  });
});

describe('asyncInvokePolicy', () => {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const record = { version: '1.0' } as AsyncFailureRecord;
  afterAll(() => sqs.destroy());

  const dependencies = (overrides = {}) => ({
    context,
    queues,
    sqs,
    invoke: jest.fn(async () => ({ payload: undefined })),
    retryDelaysMs: [1],
    log: recordingLog().log,
    ...overrides,
  });

  it('defaults to two retries and no destination', () => {
    const policy = asyncInvokePolicy({ name: 'svc-f' }, dependencies());
    expect(policy).toMatchObject({
      functionName: 'svc-f',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-f',
      maximumRetryAttempts: 2,
      retryDelaysMs: [1],
    });
    expect(policy.sendToOnFailure).toBeUndefined();
  });

  it('sends failure records to an onFailure queue given as { type, arn }', async () => {
    const send = jest.spyOn(sqs, 'send').mockImplementation(async () => ({}));
    const policy = asyncInvokePolicy(
      {
        name: 'svc-f',
        maximumRetryAttempts: 0,
        destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['Jobs', 'Arn'] } } },
      },
      dependencies(),
    );
    expect(policy.maximumRetryAttempts).toBe(0);
    await policy.sendToOnFailure!(record);
    const command = send.mock.calls[0]![0] as SendMessageCommand;
    expect(command.input).toEqual({ QueueUrl: 'http://q/jobs', MessageBody: JSON.stringify(record) });
    send.mockRestore();
  });

  it('invokes an onFailure function given as an ARN string', async () => {
    const deps = dependencies();
    const policy = asyncInvokePolicy(
      {
        name: 'svc-f',
        destinations: { onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dlq:$LATEST' },
      },
      deps,
    );
    await policy.sendToOnFailure!(record);
    expect(deps.invoke).toHaveBeenCalledWith('svc-dlq', record);
  });

  it('warns about a destination it cannot emulate', () => {
    const { log, messages } = recordingLog();
    const policy = asyncInvokePolicy(
      { name: 'svc-f', destinations: { onFailure: 'arn:aws:sns:us-east-1:1:topic' } },
      dependencies({ log }),
    );
    expect(policy.sendToOnFailure).toBeUndefined();
    expect(messages.join()).toContain('arn:aws:sns');
  });
});

describe('resolveEnvironment', () => {
  it('replaces intrinsics in place, blanks and reports what it cannot resolve', () => {
    const { log, messages } = recordingLog();
    const environment: Record<string, unknown> = {
      A: { Ref: 'Docs' },
      B: 'plain',
      C: { Ref: 'Nope' },
      D: null,
    };
    expect(resolveEnvironment(environment, context, 'fn', log)).toEqual(['C']);
    expect(environment).toEqual({ A: 'svc-local-docs', B: 'plain', C: '', D: null });
    expect(messages.join()).toContain('fn: environment C');
  });

  it('accepts a function without environment', () => {
    expect(resolveEnvironment(undefined, context, 'fn', recordingLog().log)).toEqual([]);
  });
});
