import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { runCheck, type CheckResult } from './check';
import { dynamoDbProbe, lambdaProbe, s3Probe, sqsProbe, type QueuePair } from './probes';

export interface HealthDependencies {
  s3: S3Client;
  sqs: SQSClient;
  dynamoDb: DynamoDBClient;
  lambda: LambdaClient;
}

export interface HealthSettings {
  bucket: string;
  queues: Record<string, QueuePair>;
  tableName: string;
  /** Functions we invoke; empty → the Lambda check is omitted. */
  lambdaFunctions: readonly string[];
  timeoutMs: number;
}

export interface HealthReport {
  status: 'ok' | 'error';
  /** Names of the failing checks (empty when ok). */
  failing: string[];
  checks: Record<string, CheckResult>;
}

/**
 * Checks S3, SQS, DynamoDB and (when functions are named) Lambda in parallel, each bounded by
 * `settings.timeoutMs`, so the whole report takes at most about one timeout. Never throws.
 */
export async function checkIntegrations(
  deps: HealthDependencies,
  settings: HealthSettings,
): Promise<HealthReport> {
  const probes = {
    s3: s3Probe(deps.s3, settings.bucket),
    sqs: sqsProbe(deps.sqs, settings.queues),
    dynamodb: dynamoDbProbe(deps.dynamoDb, settings.tableName),
    ...(settings.lambdaFunctions.length > 0
      ? { lambda: lambdaProbe(deps.lambda, settings.lambdaFunctions) }
      : {}),
  };
  const results = await Promise.all(
    Object.entries(probes).map(
      async ([name, probe]) => [name, await runCheck(name, probe, settings.timeoutMs)] as const,
    ),
  );
  const checks = Object.fromEntries(results);
  const failing = results.filter(([, result]) => result.status !== 'ok').map(([name]) => name);
  return { status: failing.length === 0 ? 'ok' : 'error', failing, checks };
}
