import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvokeLocalView } from '../../../plugins/local-stack/invoke-local';
import {
  predictResourceValues,
  prepareLocalInvoke,
  resourceValuesFromState,
} from '../../../plugins/local-stack/invoke-local';
import { silentLog } from '../../../plugins/local-stack/log';
import type { CfnResource } from '../../../plugins/local-stack/provision';
import { readLocalStackSettings } from '../../../plugins/local-stack/settings';
import type { LocalStackState } from '../../../plugins/local-stack/state';

const naming = { service: 'intake', stage: 'local', region: 'us-east-1', accountId: '000000000000' };
const resources: Record<string, CfnResource> = {
  DocumentsBucket: { Type: 'AWS::S3::Bucket' },
  NamedBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-bucket' } },
  JobsQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-jobs' } } },
  OrderedQueue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
  IdempotencyTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'intake-local-idem' } },
  AccessLogs: { Type: 'AWS::S3::Bucket', Condition: 'Never' },
  Role: { Type: 'AWS::IAM::Role' },
};
const conditions = { Never: { 'Fn::Equals': ['a', 'b'] } };

const runningState: LocalStackState = {
  pid: 4242,
  startedAt: '2026-11-23T15:00:00.000Z',
  stage: 'local',
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  http: { url: 'http://127.0.0.1:4000' },
  lambda: { endpoint: 'http://127.0.0.1:4002' },
  emulators: {
    s3: { port: 5001, endpoint: 'http://127.0.0.1:5001', pid: 1, postPolicy: 'enforced' },
    sqs: { port: 5002, endpoint: 'http://127.0.0.1:5002', pid: 2 },
    dynamodb: { port: 5003, endpoint: 'http://127.0.0.1:5003', pid: 3 },
  },
  dataDir: null,
  auth: null,
  resources: {
    buckets: [
      { logicalId: 'DocumentsBucket', name: 'intake-local-documentsbucket' },
      { logicalId: '', name: 'bucket-named-by-an-s3-event' },
    ],
    queues: [
      {
        logicalId: 'JobsQueue',
        name: 'intake-local-jobs',
        url: 'http://sqs.us-east-1.localhost:5002/000000000000/intake-local-jobs',
        arn: 'arn:aws:sqs:us-east-1:000000000000:intake-local-jobs',
      },
    ],
    tables: [
      {
        logicalId: 'IdempotencyTable',
        name: 'intake-local-idem',
        arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/intake-local-idem',
      },
    ],
  },
  mappings: { s3: [], sqs: [] },
};

let folder: string;
beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'invoke-local-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function writeState(state: unknown): string {
  const path = join(folder, 'local-stack.json');
  writeFileSync(path, typeof state === 'string' ? state : JSON.stringify(state));
  return path;
}

function view(): InvokeLocalView {
  return {
    service: 'intake',
    stage: 'local',
    region: 'us-east-1',
    resources,
    conditions,
    lambdaEndpoint: 'http://127.0.0.1:3002',
    providerEnvironment: { POWERTOOLS_SERVICE_NAME: 'intake', POWERTOOLS_METRICS_DISABLED: 'false' },
    functions: {
      health: {
        name: 'intake-local-health',
        environment: {
          DOCUMENTS_BUCKET: { Ref: 'DocumentsBucket' },
          JOBS_QUEUE_URL: { Ref: 'JobsQueue' },
          JOBS_QUEUE_ARN: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
          IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
          DOWNSTREAM: { Ref: 'NotDashfoundLambdaFunction' },
          HEALTH_CHECK_TIMEOUT_MS: '2000',
        },
      },
      'not-found': { name: 'intake-local-not-found' },
    },
  };
}

describe('predictResourceValues', () => {
  const values = predictResourceValues(resources, naming, conditions, 9324);

  it('names buckets, queues and tables as provisioning does', () => {
    expect(values.get('DocumentsBucket')).toEqual({
      ref: 'intake-local-documentsbucket',
      attributes: {
        Arn: 'arn:aws:s3:::intake-local-documentsbucket',
        DomainName: 'intake-local-documentsbucket.s3.amazonaws.com',
        RegionalDomainName: 'intake-local-documentsbucket.s3.us-east-1.amazonaws.com',
      },
    });
    expect(values.get('NamedBucket')!.ref).toBe('my-bucket');
    expect(values.get('OrderedQueue')!.attributes.QueueName).toBe('intake-local-orderedqueue.fifo');
    expect(values.get('IdempotencyTable')).toEqual({
      ref: 'intake-local-idem',
      attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/intake-local-idem' },
    });
  });

  it('gives queues the URL and ARN fauxqs gives them on the SQS port', () => {
    expect(values.get('JobsQueue')).toEqual({
      ref: 'http://sqs.us-east-1.localhost:9324/000000000000/intake-local-jobs',
      attributes: {
        Arn: 'arn:aws:sqs:us-east-1:000000000000:intake-local-jobs',
        QueueName: 'intake-local-jobs',
        QueueUrl: 'http://sqs.us-east-1.localhost:9324/000000000000/intake-local-jobs',
      },
    });
  });

  it('leaves out resources whose Condition is false and types the stack does not emulate', () => {
    expect(values.has('AccessLogs')).toBe(false);
    expect(values.has('Role')).toBe(false);
  });
});

describe('resourceValuesFromState', () => {
  it('takes names, URLs and ARNs from what the running stack created', () => {
    const values = resourceValuesFromState(runningState);
    expect(values.get('DocumentsBucket')!.ref).toBe('intake-local-documentsbucket');
    expect(values.get('JobsQueue')!.ref).toBe(runningState.resources.queues[0]!.url);
    expect(values.get('IdempotencyTable')!.attributes.Arn).toBe(runningState.resources.tables[0]!.arn);
    // A bucket that only an s3 event names has no logical id to reference.
    expect([...values.keys()].sort()).toEqual(['DocumentsBucket', 'IdempotencyTable', 'JobsQueue']);
  });
});

describe('prepareLocalInvoke', () => {
  const settingsFor = (env: NodeJS.ProcessEnv) =>
    readLocalStackSettings({ INTAKE_STATE_FILE: join(folder, 'local-stack.json'), ...env }, folder);

  it('without a running stack: resolves references to the default names and aims at the default ports', () => {
    const target = view();
    const prepared = prepareLocalInvoke(target, { settings: settingsFor({}), shellEnv: {}, log: silentLog });
    expect(prepared.source).toBe('default ports');
    expect(prepared.endpoints).toEqual({
      s3: 'http://127.0.0.1:4569',
      sqs: 'http://127.0.0.1:9324',
      dynamodb: 'http://127.0.0.1:8000',
      lambda: 'http://127.0.0.1:3002',
    });
    expect(target.functions.health!.environment).toEqual({
      DOCUMENTS_BUCKET: 'intake-local-documentsbucket',
      JOBS_QUEUE_URL: 'http://sqs.us-east-1.localhost:9324/000000000000/intake-local-jobs',
      JOBS_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:intake-local-jobs',
      IDEMPOTENCY_TABLE: 'intake-local-idem',
      DOWNSTREAM: 'intake-local-not-found',
      HEALTH_CHECK_TIMEOUT_MS: '2000',
    });
    expect(target.functions['not-found']!.environment).toEqual({});
    expect(target.providerEnvironment).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'intake',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3002',
      AWS_ACCESS_KEY_ID: 'local',
      // serverless.yml's own value wins over the local default.
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
  });

  it('follows the INTAKE_*_PORT variables when no stack runs', () => {
    const settings = settingsFor({ INTAKE_S3_PORT: '1', INTAKE_SQS_PORT: '2', INTAKE_DYNAMODB_PORT: '3' });
    const target = view();
    const prepared = prepareLocalInvoke(target, { settings, shellEnv: {}, log: silentLog });
    expect(prepared.endpoints).toMatchObject({
      s3: 'http://127.0.0.1:1',
      sqs: 'http://127.0.0.1:2',
      dynamodb: 'http://127.0.0.1:3',
    });
    expect(target.functions.health!.environment!.JOBS_QUEUE_URL).toBe(
      'http://sqs.us-east-1.localhost:2/000000000000/intake-local-jobs',
    );
  });

  it('with a running stack: takes its endpoints, Lambda API and resource values from the state file', () => {
    writeState(runningState);
    const target = view();
    const prepared = prepareLocalInvoke(target, {
      settings: settingsFor({}),
      shellEnv: {},
      log: silentLog,
      isAlive: (pid) => pid === 4242,
    });
    expect(prepared.source).toBe('running stack');
    expect(prepared.endpoints).toEqual({
      s3: 'http://127.0.0.1:5001',
      sqs: 'http://127.0.0.1:5002',
      dynamodb: 'http://127.0.0.1:5003',
      lambda: 'http://127.0.0.1:4002',
    });
    expect(target.functions.health!.environment!.JOBS_QUEUE_URL).toBe(runningState.resources.queues[0]!.url);
    expect(target.providerEnvironment.AWS_ENDPOINT_URL_SQS).toBe('http://127.0.0.1:5002');
  });

  it('never overrides what the shell set, and returns for the process only what the shell lacks', () => {
    const shellEnv = {
      AWS_ACCESS_KEY_ID: 'mine',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL_S3: 'http://s3',
    };
    const target = view();
    const prepared = prepareLocalInvoke(target, { settings: settingsFor({}), shellEnv, log: silentLog });
    expect(target.providerEnvironment).toMatchObject(shellEnv);
    expect(prepared.processEnv).toMatchObject({
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    for (const name of Object.keys(shellEnv)) expect(prepared.processEnv).not.toHaveProperty(name);
  });

  it('without credentials in the shell: dummy ones for the process, so the framework finds some at once', () => {
    const prepared = prepareLocalInvoke(view(), { settings: settingsFor({}), shellEnv: {}, log: silentLog });
    expect(prepared.processEnv).toMatchObject({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  });
});
