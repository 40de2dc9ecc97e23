import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketCorsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorClients } from '../../../plugins/local-stack/emulator-clients';
import type { LocalLog } from '../../../plugins/local-stack/log';
import { ensureBuckets, provisionResources, type CfnResource } from '../../../plugins/local-stack/provision';
import { startEmulators, type Emulators } from '../../helpers/emulators';

jest.setTimeout(40_000);

const naming = { service: 'svc', stage: 'local', region: 'us-east-1', accountId: '000000000000' };

const resources: Record<string, CfnResource> = {
  Named: {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: { 'Fn::Sub': '${AWS::StackName}-named' },
      VersioningConfiguration: { Status: 'Enabled' },
      CorsConfiguration: {
        CorsRules: [
          {
            Id: 'uploads',
            AllowedMethods: ['GET', 'PUT'],
            AllowedOrigins: [{ 'Fn::Split': [',', 'https://a.example,https://b.example'] }],
            AllowedHeaders: ['*'],
            ExposedHeaders: ['ETag'],
            MaxAge: 600,
          },
          { AllowedMethods: ['HEAD'], AllowedOrigins: ['*'] },
        ],
      },
    },
  },
  Ordered: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, ContentBasedDeduplication: true } },
  OrderedDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-ordered-dlq.fifo', FifoQueue: true } },
  WithStringRedrive: {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: { 'Fn::Join': ['-', ['svc', 'string-redrive']] },
      MessageRetentionPeriod: 600,
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:svc-plain-dlq',
        maxReceiveCount: '3',
      }),
    },
  },
  PlainDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-plain-dlq' } },
  Provisioned: {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'gsi', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byGsi',
          KeySchema: [{ AttributeName: 'gsi', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    },
  },
  Role: { Type: 'AWS::IAM::Role', Properties: {} },
};

describe('provisionResources (real emulators, data kept in a folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-provision-'));
  let aws: Emulators;
  let clients: EmulatorClients;
  const notes: string[] = [];
  const log: LocalLog = { info: (message) => notes.push(message), warning: () => {}, error: () => {} };

  beforeAll(async () => {
    clients = aws = await startEmulators({ dataDir });
  });
  afterAll(async () => {
    await aws?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates buckets (with CORS), FIFO queues, redrive policies and tables from CloudFormation', async () => {
    const result = await provisionResources(resources, clients, naming, log);
    expect(result.buckets).toEqual([{ logicalId: 'Named', name: 'svc-local-named' }]);
    expect(result.queues.map((queue) => queue.name)).toEqual([
      'svc-local-ordered.fifo',
      'svc-ordered-dlq.fifo',
      'svc-string-redrive',
      'svc-plain-dlq',
    ]);
    expect(result.tables).toEqual([
      {
        logicalId: 'Provisioned',
        name: 'svc-local-provisioned',
        arn: expect.stringContaining('svc-local-provisioned'),
      },
    ]);

    const cors = await clients.s3.send(new GetBucketCorsCommand({ Bucket: 'svc-local-named' }));
    expect(cors.CORSRules?.[0]).toMatchObject({
      AllowedOrigins: ['https://a.example', 'https://b.example'],
      AllowedMethods: ['GET', 'PUT'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 600,
    });

    const redriven = result.queues.find((queue) => queue.logicalId === 'WithStringRedrive')!;
    expect(redriven.maxReceiveCount).toBe(3);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: redriven.url, AttributeNames: ['All'] }),
    );
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:svc-plain-dlq',
      maxReceiveCount: 3,
    });
    expect(Attributes!.MessageRetentionPeriod).toBe('600');

    const { Table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: 'svc-local-provisioned' }),
    );
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byGsi');
    expect(Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);

    expect(notes).toEqual(
      expect.arrayContaining([
        'Named: VersioningConfiguration is not emulated locally',
        'Provisioned: TimeToLiveSpecification is not emulated locally',
      ]),
    );
  });

  it("creates the buckets that functions' s3 events name without declaring them, once", async () => {
    const result = await provisionResources({}, clients, naming, log);
    await ensureBuckets(clients, ['svc-extra', 'svc-extra'], result);
    expect(result.buckets).toEqual([{ logicalId: '', name: 'svc-extra' }]);
  });

  it('runs again on persisted data after the emulators restart, keeping objects and tables', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'svc-local-named', Key: 'kept.txt', Body: 'still here' }),
    );
    for (const kind of ['s3', 'sqs', 'dynamodb'] as const) {
      await aws.stopService(kind);
      await aws.restart(kind);
    }
    const result = await provisionResources(resources, clients, naming, log);
    expect(result.tables).toHaveLength(1);
    const object = await clients.s3.send(
      new GetObjectCommand({ Bucket: 'svc-local-named', Key: 'kept.txt' }),
    );
    expect(await object.Body!.transformToString()).toBe('still here');
  });
});
