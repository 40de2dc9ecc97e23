import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UnhealthyError, type Probe } from './check';

/** S3: the documents bucket exists and we may use it (HeadBucket needs s3:ListBucket on the bucket). */
export function s3Probe(s3: S3Client, bucket: string): Probe {
  return async (abortSignal) => {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
    return {};
  };
}

export interface QueuePair {
  queueUrl: string;
  dlqUrl: string;
}

const depthAttributes = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/**
 * SQS: each queue and its DLQ answer, with their depth (visible + in flight + delayed messages). Queues are
 * reported under logical names only: URLs carry the account id.
 */
export function sqsProbe(sqs: SQSClient, queues: Record<string, QueuePair>): Probe {
  const depthOf = async (queueUrl: string, abortSignal: AbortSignal): Promise<number> => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...depthAttributes] }),
      { abortSignal },
    );
    return depthAttributes.reduce((sum, name) => sum + (Number(Attributes[name] ?? 0) || 0), 0);
  };
  return async (abortSignal) => {
    const entries = await Promise.all(
      Object.entries(queues).map(async ([name, { queueUrl, dlqUrl }]) => {
        const [depth, dlqDepth] = await Promise.all([
          depthOf(queueUrl, abortSignal),
          depthOf(dlqUrl, abortSignal),
        ]);
        return [name, { depth, dlqDepth }] as const;
      }),
    );
    return { queues: Object.fromEntries(entries) };
  };
}

/** DynamoDB: the idempotency table exists and is ACTIVE (or UPDATING, which still serves reads and writes). */
export function dynamoDbProbe(dynamoDb: DynamoDBClient, tableName: string): Probe {
  return async (abortSignal) => {
    const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal,
    });
    const tableStatus = Table?.TableStatus ?? 'UNKNOWN';
    if (tableStatus !== 'ACTIVE' && tableStatus !== 'UPDATING')
      throw new UnhealthyError(`TABLE_${tableStatus}`);
    return { tableStatus };
  };
}

/**
 * Lambda: each function we invoke exists and we may invoke it, checked with a DryRun Invoke (needs only
 * lambda:InvokeFunction; Lambda answers 204 without running it, ResourceNotFoundException when the
 * function is missing, which fails the check).
 */
export function lambdaProbe(lambda: LambdaClient, functionNames: readonly string[]): Probe {
  return async (abortSignal) => {
    await Promise.all(
      functionNames.map((functionName) =>
        lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'DryRun' }), {
          abortSignal,
        }),
      ),
    );
    return { functions: functionNames.length };
  };
}
