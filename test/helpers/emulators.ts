/*
 * The one emulator harness of tests, benchmarks and test scripts: the emulators, S3 authentication,
 * provisioning and SQS event-source mapping of `npm start` (plugins/local-stack), started in-process on
 * free ports, with clients that sign with the local credentials. Never imported by a function.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startAuthenticatedS3 } from '../../plugins/local-stack/authenticated-s3';
import { createEmulatorClients, type EmulatorClients } from '../../plugins/local-stack/emulator-clients';
import {
  startEmulator,
  type EmulatorKind,
  type RunningEmulator,
} from '../../plugins/local-stack/emulator-process';
import { LOCAL_CREDENTIALS } from '../../plugins/local-stack/handler-environment';
import type { Invoker } from '../../plugins/local-stack/invoker';
import { LOCAL_ACCOUNT_ID } from '../../plugins/local-stack/local-stack';
import { silentLog } from '../../plugins/local-stack/log';
import {
  provisionResources,
  type CfnResource,
  type ProvisionedQueue,
  type ProvisionedResources,
} from '../../plugins/local-stack/provision';
import { SqsEventSource } from '../../plugins/local-stack/sqs-event-source';
import type { LocalStackSettings } from '../../plugins/local-stack/settings';
import type { LocalStackState } from '../../plugins/local-stack/state';
import { unusedPort } from '../../plugins/local-stack/unused-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ALL_SERVICES: readonly EmulatorKind[] = ['s3', 'sqs', 'dynamodb'];

export interface StartEmulatorsOptions {
  /** The emulators to start (all three by default); the clients of the others reach nothing. */
  services?: readonly EmulatorKind[];
  /** Keep S3 objects and DynamoDB items here across restarts, as INTAKE_DATA_DIR does. */
  dataDir?: string;
  /** Called with each S3 notification s3rver emits. */
  onS3Event?: (event: unknown) => void;
  /** The S3 proxy's clock (policy and presigned-URL expiry, clock skew). */
  s3Clock?: () => Date;
  region?: string;
}

/** An in-process handler of SQS batches, as a function's `sqs` event with ReportBatchItemFailures calls it. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface QueueMappingOptions {
  queue: Pick<ProvisionedQueue, 'url' | 'arn'>;
  /**
   * Makes one handler instance, like one Lambda container: a batch never shares an instance with
   * another batch in flight (a BatchProcessor holds per-batch state), and idle instances are reused.
   */
  createHandler: () => SqsBatchHandler;
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
  /** Batches in flight at once (the mapping's maximumConcurrency). */
  concurrency?: number;
}

export interface QueueMapping {
  /** Resolves once the queue holds no message, visible or in flight, and no batch is being handled. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Emulators extends EmulatorClients {
  region: string;
  /** The local access key of `npm start` (a copy of the one definition, plugins/local-stack/handler-environment.ts). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** What a handler of `npm start` finds in its environment to reach these emulators with the shipped clients. */
  env: Record<string, string>;
  emulator(kind: EmulatorKind): RunningEmulator;
  /** Creates what `resources` declares (CloudFormation, as in serverless.yml) with the stack's provisioning. */
  provision(resources: Record<string, CfnResource>): Promise<ProvisionedResources>;
  /** A queue `provision` created, by logical id. */
  queue(logicalId: string): ProvisionedQueue;
  /** Maps a queue to an in-process handler with the local stack's SQS event-source mapping. */
  mapQueue(options: QueueMappingOptions): QueueMapping;
  /** Number of messages in a queue, visible or in flight. */
  depth(queueUrl: string): Promise<number>;
  /** Stops one emulator: its service is down until `restart`. */
  stopService(kind: EmulatorKind): Promise<void>;
  /** Starts a stopped emulator again on its port; what was provisioned is provisioned again. */
  restart(kind: EmulatorKind): Promise<void>;
  stop(): Promise<void>;
}

/** Number of messages in a queue, visible or in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** An on-demand DynamoDB table keyed by the string attribute `id`, as serverless/resources.yml declares its tables. */
export const idKeyedTable = (tableName: string): CfnResource => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  },
});

/**
 * Starts the emulators as `npm start` does (S3 behind the stack's SigV4 proxy), on ports the OS picks.
 * Rejects, with nothing left running, when one cannot start.
 */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<Emulators> {
  const region = options.region ?? 'us-east-1';
  const services = options.services ?? ALL_SERVICES;
  const running = new Map<EmulatorKind, RunningEmulator>();
  const start = (kind: EmulatorKind, port = 0): Promise<RunningEmulator> => {
    const dataDir = kind === 'sqs' ? undefined : options.dataDir;
    return kind === 's3'
      ? startAuthenticatedS3({
          port,
          accessKeys: [LOCAL_CREDENTIALS],
          region,
          ...(dataDir ? { dataDir } : {}),
          ...(options.onS3Event ? { onS3Event: options.onS3Event } : {}),
          ...(options.s3Clock ? { now: options.s3Clock } : {}),
        })
      : startEmulator(kind, { port, ...(dataDir ? { dataDir } : {}) });
  };
  const started = await Promise.allSettled(
    services.map(async (kind) => running.set(kind, await start(kind))),
  );
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all([...running.values()].map((emulator) => emulator.stop()));
    throw failure.reason;
  }

  // An emulator not started gets an endpoint nothing listens on, so its client fails fast.
  const endpoint = (kind: EmulatorKind) => running.get(kind)?.endpoint ?? 'http://127.0.0.1:9';
  const endpoints = { s3: endpoint('s3'), sqs: endpoint('sqs'), dynamodb: endpoint('dynamodb') };
  const clients = createEmulatorClients(endpoints, region, LOCAL_CREDENTIALS);
  const declared: Record<string, CfnResource> = {};
  let provisioned: ProvisionedResources | undefined;
  const mappings = new Set<QueueMapping>();

  const provision = async (resources: Record<string, CfnResource>) => {
    Object.assign(declared, resources);
    provisioned = await provisionResources(
      declared,
      clients,
      { service: 'intake', stage: 'test', region, accountId: LOCAL_ACCOUNT_ID },
      silentLog,
    );
    return provisioned;
  };
  const depth = (queueUrl: string) => queueDepth(clients.sqs, queueUrl);

  const harness: Emulators = {
    ...clients,
    region,
    credentials: { ...LOCAL_CREDENTIALS },
    env: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    },
    emulator: (kind) => {
      const emulator = running.get(kind);
      if (!emulator) throw new Error(`the ${kind} emulator was not started`);
      return emulator;
    },
    provision,
    queue: (logicalId) => {
      const queue = provisioned?.queues.find((candidate) => candidate.logicalId === logicalId);
      if (!queue) throw new Error(`no queue ${logicalId} was provisioned`);
      return queue;
    },
    mapQueue: (mappingOptions) => {
      const mapping = mapQueue(clients, region, depth, mappingOptions);
      mappings.add(mapping);
      return {
        drained: (timeoutMs) => mapping.drained(timeoutMs),
        stop: async () => {
          mappings.delete(mapping);
          await mapping.stop();
        },
      };
    },
    depth,
    stopService: async (kind) => {
      await harness.emulator(kind).stop();
    },
    restart: async (kind) => {
      running.set(kind, await start(kind, harness.emulator(kind).port));
      if (Object.keys(declared).length > 0) await provision({});
    },
    stop: async () => {
      await Promise.all([...mappings].map((mapping) => mapping.stop()));
      clients.destroy();
      await Promise.all([...running.values()].map((emulator) => emulator.stop()));
    },
  };
  return harness;
}

function mapQueue(
  clients: EmulatorClients,
  region: string,
  depth: (queueUrl: string) => Promise<number>,
  options: QueueMappingOptions,
): QueueMapping {
  const idle: SqsBatchHandler[] = [];
  let inFlight = 0;
  const context = {
    awsRequestId: 'harness',
    functionName: 'harness-consumer',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
  // Each batch takes an idle instance or makes one; a throw is reported as Lambda reports it (inProcessInvoker).
  const { invoke } = inProcessInvoker({
    'harness-consumer': async (event) => {
      const handler = idle.pop() ?? options.createHandler();
      inFlight++;
      try {
        return await handler(event as SQSEvent, context);
      } finally {
        inFlight--;
        idle.push(handler);
      }
    },
  });
  const source = new SqsEventSource(
    {
      functionKey: 'consumer',
      functionName: 'harness-consumer',
      queueArn: options.queue.arn,
      queueUrl: options.queue.url,
      batchSize: options.batchSize ?? 10,
      maximumBatchingWindowSeconds: options.maximumBatchingWindowSeconds ?? 0,
      reportBatchItemFailures: true,
      enabled: true,
      ...(options.concurrency !== undefined ? { maximumConcurrency: options.concurrency } : {}),
    },
    { client: clients.sqs, invoke, region, log: silentLog, waitTimeSeconds: 1, errorBackoffMs: 200 },
  );
  source.start();
  return {
    drained: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while ((await depth(options.queue.url).catch(() => 1)) > 0 || inFlight > 0) {
        if (Date.now() > deadline) throw new Error(`${options.queue.url} not drained within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => source.stop(),
  };
}

/** SDK clients aimed at the emulators of a running `npm start` stack, signing with the credentials its state file names. */
export function clientsOfStack(
  state: Pick<LocalStackState, 'emulators' | 'region' | 'credentials'>,
): EmulatorClients {
  const { s3, sqs, dynamodb } = state.emulators;
  return createEmulatorClients(
    { s3: s3.endpoint, sqs: sqs.endpoint, dynamodb: dynamodb.endpoint },
    state.region,
    state.credentials,
  );
}

export type InProcessHandler = (event: unknown) => unknown;

export interface RecordedInvocation {
  functionName: string;
  event: unknown;
  at: number;
}

/**
 * An Invoker that runs handlers in this process by function name, reporting a throw as Lambda does
 * (`FunctionError: 'Unhandled'`), and records every invocation.
 */
export function inProcessInvoker(handlers: Record<string, InProcessHandler>) {
  const invocations: RecordedInvocation[] = [];
  const invoke: Invoker = async (functionName, event) => {
    invocations.push({ functionName, event, at: Date.now() });
    const handler = handlers[functionName];
    if (!handler) throw new Error(`no handler for ${functionName}`);
    try {
      return { payload: await handler(event) };
    } catch (error) {
      return { functionError: 'Unhandled', payload: { errorMessage: (error as Error).message } };
    }
  };
  return { invoke, invocations };
}

/** Settings for a whole LocalStack started in-process: free ports, its own state file, short async retry delays. */
export async function localStackTestSettings(): Promise<LocalStackSettings> {
  return {
    ports: { s3: await unusedPort(), sqs: await unusedPort(), dynamodb: await unusedPort() },
    stateFile: join(tmpdir(), `intake-it-${process.pid}-${Date.now()}.json`),
    fixtures: false,
    singleBuild: true,
    asyncRetryDelaysMs: [50, 100],
    functionConcurrency: 5,
  };
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `probe` until it returns something truthy, or throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
