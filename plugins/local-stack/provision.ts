import type { AttributeDefinition, CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { CORSRule } from '@aws-sdk/client-s3';
import { CreateBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { EmulatorClients } from './emulator-clients';
import type { IntrinsicContext, LocalResourceValues } from './intrinsics';
import { evaluateCondition, resolveIntrinsics, resolveString } from './intrinsics';
import type { LocalLog } from './log';

/** A CloudFormation resource as serverless.yml declares it. */
export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
}

export interface ProvisionNaming {
  service: string;
  stage: string;
  region: string;
  accountId: string;
}

export interface ProvisionedBucket {
  logicalId: string;
  name: string;
}
export interface ProvisionedQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  deadLetterQueueArn?: string;
  maxReceiveCount?: number;
}
export interface ProvisionedTable {
  logicalId: string;
  name: string;
  arn: string;
}

/** Everything the local stack created, and the intrinsic context that resolves references to it. */
export interface ProvisionedResources {
  buckets: ProvisionedBucket[];
  queues: ProvisionedQueue[];
  tables: ProvisionedTable[];
  context: IntrinsicContext;
}

/** Properties CloudFormation applies that the emulators cannot: logged once, not failed on. */
const UNSUPPORTED: Record<string, string[]> = {
  'AWS::S3::Bucket': [
    'VersioningConfiguration',
    'BucketEncryption',
    'LifecycleConfiguration',
    'LoggingConfiguration',
  ],
  'AWS::DynamoDB::Table': [
    'TimeToLiveSpecification',
    'PointInTimeRecoverySpecification',
    'StreamSpecification',
  ],
};

/** The name CloudFormation would generate is random; locally an unnamed resource gets a stable one. */
export function defaultResourceName(naming: ProvisionNaming, logicalId: string): string {
  return `${naming.service}-${naming.stage}-${logicalId.toLowerCase()}`;
}

/** The intrinsic context of a local stack whose resource values are `resources`. */
export function localContext(
  naming: ProvisionNaming,
  resources: Map<string, LocalResourceValues>,
  conditions: Record<string, unknown>,
): IntrinsicContext {
  return {
    conditions,
    region: naming.region,
    accountId: naming.accountId,
    stackName: `${naming.service}-${naming.stage}`,
    resources,
  };
}

function isAlreadyThere(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  return ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists', 'ResourceInUseException'].includes(name);
}

async function createBucket(clients: EmulatorClients, name: string): Promise<void> {
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    if (!isAlreadyThere(error)) throw error;
  }
}

function toCorsRules(rules: unknown): CORSRule[] {
  return (rules as Record<string, unknown>[]).map((rule) => ({
    AllowedMethods: rule.AllowedMethods as string[],
    AllowedOrigins: rule.AllowedOrigins as string[],
    ...(rule.AllowedHeaders ? { AllowedHeaders: rule.AllowedHeaders as string[] } : {}),
    ...(rule.ExposedHeaders ? { ExposeHeaders: rule.ExposedHeaders as string[] } : {}),
    ...(rule.MaxAge !== undefined ? { MaxAgeSeconds: Number(rule.MaxAge) } : {}),
    ...(rule.Id ? { ID: String(rule.Id) } : {}),
  }));
}

/**
 * Creates the buckets that functions' `s3` events name without declaring them (AWS creates those
 * too) and adds them to `provisioned`.
 */
export async function ensureBuckets(
  clients: EmulatorClients,
  names: string[],
  provisioned: ProvisionedResources,
): Promise<void> {
  for (const name of names) {
    if (provisioned.buckets.some((bucket) => bucket.name === name)) continue;
    await createBucket(clients, name);
    provisioned.buckets.push({ logicalId: '', name });
  }
}

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

/** A queue's local name: its QueueName, else a stable default (`.fifo` for a FIFO queue). */
export function queueName(
  naming: ProvisionNaming,
  logicalId: string,
  properties: Record<string, unknown>,
  context: IntrinsicContext,
): string {
  if (properties.QueueName !== undefined) return resolveString(properties.QueueName, context);
  const name = defaultResourceName(naming, logicalId);
  return String(properties.FifoQueue) === 'true' ? `${name}.fifo` : name;
}

/** A bucket's local name: its BucketName, else a stable default. */
export function bucketName(
  naming: ProvisionNaming,
  logicalId: string,
  properties: Record<string, unknown>,
  context: IntrinsicContext,
): string {
  return properties.BucketName !== undefined
    ? resolveString(properties.BucketName, context)
    : defaultResourceName(naming, logicalId);
}

/** A table's local name: its TableName, else a stable default. */
export function tableName(
  naming: ProvisionNaming,
  logicalId: string,
  properties: Record<string, unknown>,
  context: IntrinsicContext,
): string {
  return properties.TableName !== undefined
    ? resolveString(properties.TableName, context)
    : defaultResourceName(naming, logicalId);
}

/** What `Ref`/`Fn::GetAtt` of a bucket resolve to locally. */
export function bucketValues(name: string, region: string): LocalResourceValues {
  return {
    ref: name,
    attributes: {
      Arn: `arn:aws:s3:::${name}`,
      DomainName: `${name}.s3.amazonaws.com`,
      RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
    },
  };
}

/** What `Ref`/`Fn::GetAtt` of a queue resolve to locally (Ref is the URL, as in AWS). */
export function queueValues(queue: { name: string; url: string; arn: string }): LocalResourceValues {
  return { ref: queue.url, attributes: { Arn: queue.arn, QueueName: queue.name, QueueUrl: queue.url } };
}

/** What `Ref`/`Fn::GetAtt` of a table resolve to locally. */
export function tableValues(table: { name: string; arn: string }): LocalResourceValues {
  return { ref: table.name, attributes: { Arn: table.arn } };
}

/** The resources a template creates: those without a Condition or whose Condition holds. */
export function activeResources(
  resources: Record<string, CfnResource>,
  context: IntrinsicContext,
): [string, CfnResource][] {
  return Object.entries(resources).filter(
    ([, resource]) => resource.Condition === undefined || evaluateCondition(resource.Condition, context),
  );
}

/**
 * Creates in the emulators every bucket, queue (then its redrive policy) and table that `resources`
 * declares. Safe to run again on persisted data: what exists is kept.
 */
export async function provisionResources(
  resources: Record<string, CfnResource>,
  clients: EmulatorClients,
  naming: ProvisionNaming,
  log: LocalLog,
  conditions: Record<string, unknown> = {},
): Promise<ProvisionedResources> {
  const values = new Map<string, LocalResourceValues>();
  const context = localContext(naming, values, conditions);
  const result: ProvisionedResources = { buckets: [], queues: [], tables: [], context };
  // A resource whose Condition is false does not exist in the deployed stack either.
  const entries = activeResources(resources, context);

  for (const [logicalId, resource] of entries) {
    const properties = resource.Properties ?? {};
    for (const property of UNSUPPORTED[resource.Type] ?? []) {
      if (property in properties) log.info(`${logicalId}: ${property} is not emulated locally`);
    }
  }

  for (const [logicalId, resource] of entries.filter(([, r]) => r.Type === 'AWS::S3::Bucket')) {
    const properties = resource.Properties ?? {};
    const name = bucketName(naming, logicalId, properties, context);
    await createBucket(clients, name);
    const cors = resolveIntrinsics(properties.CorsConfiguration, context) as
      { CorsRules?: unknown } | undefined;
    if (cors?.CorsRules) {
      await clients.s3.send(
        new PutBucketCorsCommand({
          Bucket: name,
          CORSConfiguration: { CORSRules: toCorsRules(cors.CorsRules) },
        }),
      );
    }
    values.set(logicalId, bucketValues(name, naming.region));
    result.buckets.push({ logicalId, name });
  }

  const queues = entries.filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  for (const [logicalId, resource] of queues) {
    const properties = resource.Properties ?? {};
    const name = queueName(naming, logicalId, properties, context);
    const attributes = Object.fromEntries(
      QUEUE_ATTRIBUTES.filter((key) => properties[key] !== undefined).map((key) => [
        key,
        resolveString(properties[key], context),
      ]),
    );
    const { QueueUrl: url } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const arn = Attributes!.QueueArn!;
    values.set(logicalId, queueValues({ name, url: url!, arn }));
    result.queues.push({ logicalId, name, url: url!, arn });
  }
  for (const [logicalId, resource] of queues) {
    const redrive = resource.Properties?.RedrivePolicy;
    if (redrive === undefined) continue;
    const policy = resolveIntrinsics(
      typeof redrive === 'string' ? JSON.parse(redrive) : redrive,
      context,
    ) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    const queue = result.queues.find((item) => item.logicalId === logicalId)!;
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queue.url,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: policy.deadLetterTargetArn,
            maxReceiveCount: Number(policy.maxReceiveCount),
          }),
        },
      }),
    );
    queue.deadLetterQueueArn = policy.deadLetterTargetArn;
    queue.maxReceiveCount = Number(policy.maxReceiveCount);
  }

  for (const [logicalId, resource] of entries.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const properties = resolveTableProperties(resource.Properties ?? {}, context);
    const name = tableName(naming, logicalId, properties, context);
    const input: CreateTableCommandInput = {
      TableName: name,
      AttributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
      KeySchema: properties.KeySchema as CreateTableCommandInput['KeySchema'],
      ...(properties.GlobalSecondaryIndexes
        ? {
            GlobalSecondaryIndexes:
              properties.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
          }
        : {}),
      ...(properties.LocalSecondaryIndexes
        ? {
            LocalSecondaryIndexes:
              properties.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'],
          }
        : {}),
      ...(properties.BillingMode === 'PAY_PER_REQUEST'
        ? { BillingMode: 'PAY_PER_REQUEST' }
        : {
            ProvisionedThroughput:
              (properties.ProvisionedThroughput as CreateTableCommandInput['ProvisionedThroughput']) ?? {
                ReadCapacityUnits: 5,
                WriteCapacityUnits: 5,
              },
          }),
    };
    try {
      await clients.dynamodb.send(new CreateTableCommand(input));
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
    }
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const arn = Table?.TableArn ?? `arn:aws:dynamodb:${naming.region}:${naming.accountId}:table/${name}`;
    values.set(logicalId, tableValues({ name, arn }));
    result.tables.push({ logicalId, name, arn });
  }
  return result;
}

function resolveTableProperties(properties: Record<string, unknown>, context: IntrinsicContext) {
  const { TimeToLiveSpecification: _ttl, ...rest } = properties;
  return resolveIntrinsics(rest, context) as Record<string, unknown>;
}
