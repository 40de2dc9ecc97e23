import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AsyncFailureRecord, AsyncInvokePolicy } from './async-invoke';
import type { LocalEndpoints } from './handler-environment';
import { localHandlerEnvironment } from './handler-environment';
import type { IntrinsicContext, LocalResourceValues } from './intrinsics';
import { resolveIntrinsics, resolveString, UnresolvedIntrinsicError } from './intrinsics';
import type { Invoker } from './invoker';
import type { LocalLog } from './log';
import type { ProvisionedQueue } from './provision';
import type { S3Subscription } from './s3-event';
import type { SqsMapping } from './sqs-event-source';

/** The part of a serverless.yml function definition the local stack reads. */
export interface FunctionDefinition {
  name: string;
  handler?: string;
  environment?: Record<string, unknown>;
  events?: Record<string, unknown>[];
  destinations?: { onFailure?: unknown };
  maximumRetryAttempts?: number;
}

/** CloudFormation's logical id for a function, as the framework names it (`HealthLambdaFunction`). */
export function functionLogicalId(functionKey: string): string {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** `Ref`/`Fn::GetAtt` values of every function, so environments may reference other functions. */
export function functionResourceValues(
  functions: Record<string, FunctionDefinition>,
  region: string,
  accountId: string,
): Map<string, LocalResourceValues> {
  return new Map(
    Object.entries(functions).map(([key, definition]) => [
      functionLogicalId(key),
      {
        ref: definition.name,
        attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${definition.name}` },
      },
    ]),
  );
}

function eventsOf(definition: FunctionDefinition, type: string): unknown[] {
  return (definition.events ?? []).filter((event) => event && type in event).map((event) => event[type]);
}

/** Reads every function's `s3` events (string or object form) as subscriptions on local buckets. */
export function readS3Subscriptions(
  functions: Record<string, FunctionDefinition>,
  context: IntrinsicContext,
): S3Subscription[] {
  return Object.entries(functions).flatMap(([functionKey, definition]) =>
    eventsOf(definition, 's3').map((raw): S3Subscription => {
      const event = (typeof raw === 'string' ? { bucket: raw } : raw) as {
        bucket: unknown;
        event?: string;
        rules?: { prefix?: unknown; suffix?: unknown }[];
      };
      const rules = event.rules ?? [];
      const prefix = rules.find((rule) => rule.prefix !== undefined)?.prefix;
      const suffix = rules.find((rule) => rule.suffix !== undefined)?.suffix;
      return {
        functionKey,
        functionName: definition.name,
        bucket: resolveString(event.bucket, context),
        events: [event.event ?? 's3:ObjectCreated:*'],
        ...(prefix !== undefined ? { prefix: resolveString(prefix, context) } : {}),
        ...(suffix !== undefined ? { suffix: resolveString(suffix, context) } : {}),
      };
    }),
  );
}

/**
 * Reads every function's `sqs` events as event-source mappings on local queues (AWS defaults: batch
 * size 10, no batching window, enabled). A queue the stack did not create is reported and skipped.
 */
export function readSqsMappings(
  functions: Record<string, FunctionDefinition>,
  context: IntrinsicContext,
  queues: ProvisionedQueue[],
  log: LocalLog,
): SqsMapping[] {
  return Object.entries(functions).flatMap(([functionKey, definition]) =>
    eventsOf(definition, 'sqs').flatMap((raw): SqsMapping[] => {
      const event = (typeof raw === 'string' || !('arn' in (raw as object)) ? { arn: raw } : raw) as {
        arn: unknown;
        batchSize?: number;
        maximumBatchingWindow?: number;
        maximumConcurrency?: number;
        functionResponseType?: string;
        enabled?: boolean;
      };
      const arn = resolveString(event.arn, context);
      const queue = queues.find((candidate) => candidate.arn === arn);
      if (!queue) {
        log.warning(
          `${functionKey}: sqs event on ${arn}, which is not a queue of this stack: not polled locally`,
        );
        return [];
      }
      return [
        {
          functionKey,
          functionName: definition.name,
          queueArn: queue.arn,
          queueUrl: queue.url,
          batchSize: Number(event.batchSize ?? 10),
          maximumBatchingWindowSeconds: Number(event.maximumBatchingWindow ?? 0),
          reportBatchItemFailures: event.functionResponseType === 'ReportBatchItemFailures',
          enabled: event.enabled !== false,
          ...(event.maximumConcurrency === undefined
            ? {}
            : { maximumConcurrency: Number(event.maximumConcurrency) }),
        },
      ];
    }),
  );
}

export interface AsyncPolicyDependencies {
  context: IntrinsicContext;
  queues: ProvisionedQueue[];
  sqs: SQSClient;
  invoke: Invoker;
  retryDelaysMs: number[];
  log: LocalLog;
}

/**
 * The async-invoke policy of one function: `maximumRetryAttempts` (default 2) and its
 * `destinations.onFailure` (a queue or function ARN, as a string or `{ type, arn }`).
 */
export function asyncInvokePolicy(
  definition: FunctionDefinition,
  dependencies: AsyncPolicyDependencies,
): AsyncInvokePolicy {
  const { context } = dependencies;
  const policy: AsyncInvokePolicy = {
    functionName: definition.name,
    functionArn: `arn:aws:lambda:${context.region}:${context.accountId}:function:${definition.name}`,
    maximumRetryAttempts: definition.maximumRetryAttempts ?? 2,
    retryDelaysMs: dependencies.retryDelaysMs,
  };
  const onFailure = definition.destinations?.onFailure;
  if (onFailure === undefined) return policy;
  const target =
    typeof onFailure === 'object' && onFailure !== null && 'arn' in onFailure
      ? (onFailure as { arn: unknown }).arn
      : onFailure;
  const arn = resolveString(target, context);
  const queue = dependencies.queues.find((candidate) => candidate.arn === arn);
  if (queue) {
    policy.sendToOnFailure = async (record: AsyncFailureRecord) => {
      await dependencies.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(record) }),
      );
    };
  } else if (arn.includes(':function:')) {
    const functionName = arn.split(':function:')[1]!.split(':')[0]!;
    policy.sendToOnFailure = async (record) => {
      await dependencies.invoke(functionName, record);
    };
  } else {
    dependencies.log.warning(`${definition.name}: onFailure destination ${arn} is not emulated locally`);
  }
  return policy;
}

/**
 * Replaces, in place, every intrinsic in `environment` with its local value, so handlers see names,
 * URLs and ARNs instead of "[object Object]". A reference the stack cannot resolve is reported and
 * left empty. Returns the names of the variables it could not resolve.
 */
export function resolveEnvironment(
  environment: Record<string, unknown> | undefined,
  context: IntrinsicContext,
  owner: string,
  log: LocalLog,
): string[] {
  const unresolved: string[] = [];
  for (const [name, value] of Object.entries(environment ?? {})) {
    if (value === null || typeof value !== 'object') continue;
    try {
      environment![name] = String(resolveIntrinsics(value, context));
    } catch (error) {
      if (!(error instanceof UnresolvedIntrinsicError)) throw error;
      log.warning(`${owner}: environment ${name}: ${error.message}; set to ''`);
      environment![name] = '';
      unresolved.push(name);
    }
  }
  return unresolved;
}

/** Where handler environments live in the framework's service: mutated in place. */
export interface HandlerEnvironments {
  region: string;
  providerEnvironment: Record<string, unknown>;
  functions: Record<string, FunctionDefinition>;
}

/**
 * Gives every handler its local environment: intrinsics in the provider and function environments
 * resolved against `context`, plus the local endpoints, region, dummy credentials and quiet
 * Powertools. A value from `shellEnv` wins over everything; a value serverless.yml sets wins over a
 * local default. The one place `npm start` and `sls invoke local --stage local` share.
 */
export function localizeEnvironments(
  targets: HandlerEnvironments,
  context: IntrinsicContext,
  endpoints: LocalEndpoints,
  shellEnv: NodeJS.ProcessEnv,
  log: LocalLog,
): void {
  resolveEnvironment(targets.providerEnvironment, context, 'provider', log);
  for (const [key, definition] of Object.entries(targets.functions)) {
    definition.environment ??= {};
    resolveEnvironment(definition.environment, context, key, log);
  }
  const local = localHandlerEnvironment(endpoints, targets.region, shellEnv);
  for (const [name, value] of Object.entries(local)) {
    if (shellEnv[name] !== undefined || targets.providerEnvironment[name] === undefined) {
      targets.providerEnvironment[name] = value;
    }
  }
}
