import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { LocalIssuerEndpoints } from './auth/local-issuer';
import { CONSOLE_TOKEN_TTL_SECONDS } from './console-link';
import type { ProvisionedBucket, ProvisionedQueue, ProvisionedTable } from './provision';
import type { S3Subscription } from './s3-event';
import type { SqsMapping } from './sqs-event-source';

export interface EmulatorState {
  port: number;
  endpoint: string;
  /** The emulator's own process (for S3: s3rver, behind the POST-policy proxy that serves `endpoint`). */
  pid: number;
  postPolicy?: 'enforced';
}

/** What `.intake/local-stack.json` holds once the stack is ready (tests and tools read it). */
export interface LocalStackState {
  pid: number;
  startedAt: string;
  stage: string;
  region: string;
  /**
   * The local account's access key: the local S3 refuses any request not SigV4-signed by it (or by the
   * shell's own keys, which handlers inherit), as AWS refuses anonymous requests to a private bucket.
   */
  credentials: { accessKeyId: string; secretAccessKey: string };
  http: { url: string };
  /**
   * `endpoint`: serverless-offline's Lambda API. `functionEndpoint`: the one functions are given, which
   * queues `Event` invokes as Lambda does (plugins/local-stack/lambda-api.ts) and passes the rest to offline.
   */
  lambda: { endpoint: string; functionEndpoint?: string };
  emulators: { s3: EmulatorState; sqs: EmulatorState; dynamodb: EmulatorState };
  dataDir: string | null;
  /**
   * The local OIDC issuer the routes' JWT authorizer trusts (discovery at `<issuer>/.well-known/openid-configuration`;
   * `POST tokenEndpoint` signs tokens, see docs/local-development.md); null when no route has an authorizer.
   */
  auth: LocalIssuerEndpoints | null;
  resources: { buckets: ProvisionedBucket[]; queues: ProvisionedQueue[]; tables: ProvisionedTable[] };
  mappings: { s3: S3Subscription[]; sqs: SqsMapping[] };
}

/** Where the state file is: INTAKE_STATE_FILE (relative to `serviceDir`), else `.intake/local-stack.json`. */
export function stateFilePath(env: NodeJS.ProcessEnv, serviceDir: string): string {
  const path = env.INTAKE_STATE_FILE || join('.intake', 'local-stack.json');
  return isAbsolute(path) ? path : join(serviceDir, path);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StateFileOptions {
  /** The stage whose stack is wanted ('local' unless said otherwise). */
  stage?: string;
  /** Whether a process still runs (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

/**
 * The state of the running local stack of `stage` in the file at `path`; undefined when there is none,
 * when it cannot be read, when it belongs to another stage or when its process has gone (a stack
 * killed with SIGKILL leaves its file behind). The one place that reads the state file.
 */
export function findRunningStackState(
  path: string,
  { stage = 'local', isAlive = processIsAlive }: StateFileOptions = {},
): LocalStackState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as LocalStackState;
    if (state.stage !== stage || !Number.isInteger(state.pid) || !isAlive(state.pid)) return undefined;
    return state;
  } catch {
    return undefined;
  }
}

/** No usable local stack: none runs, or the one that runs is too old for the tool. Its message is the one line to show. */
export class LocalStackNotRunningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackNotRunningError';
  }
}

/**
 * The state of the running `npm start` stack (INTAKE_STATE_FILE, default `.intake/local-stack.json`) for
 * tools that need one: throws a LocalStackNotRunningError saying to start it when none runs, or to
 * restart it when it was written by an older stack (no `credentials`).
 */
export function readRunningStackState(
  env: NodeJS.ProcessEnv,
  serviceDir: string,
  options: StateFileOptions = {},
): LocalStackState {
  const path = stateFilePath(env, serviceDir);
  const state = findRunningStackState(path, options);
  if (!state)
    throw new LocalStackNotRunningError(
      `no local stack is running (no live ${path}): start it with \`npm start\``,
    );
  if (!state.credentials)
    throw new LocalStackNotRunningError(
      `${path} names no credentials: it was written by an older local stack; restart it with \`npm start\``,
    );
  return state;
}

/** Writes the state file atomically (a reader never sees half a file). */
export function writeStateFile(path: string, state: LocalStackState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Removes the state file, so a stale one never describes a stack that has stopped. */
export function removeStateFile(path: string): void {
  rmSync(path, { force: true });
}

function s3Rule(subscription: S3Subscription): string {
  const filters = [
    subscription.prefix ? `prefix ${subscription.prefix}` : '',
    subscription.suffix ? `suffix ${subscription.suffix}` : '',
  ].filter(Boolean);
  return `s3://${subscription.bucket} ${subscription.events.join(',')}${filters.length ? ` (${filters.join(', ')})` : ''}`;
}

/**
 * The banner printed once the stack is ready: every endpoint, resource and event mapping, and the
 * console's link (`consoleUrl`, with its admin token) when the stack serves the console.
 */
export function renderBanner(state: LocalStackState, stateFile: string, consoleUrl?: string): string {
  const { emulators, resources, mappings } = state;
  const lines = [
    `intake local stack (stage ${state.stage}, region ${state.region}) is ready`,
    '',
    `  HTTP API        ${state.http.url}`,
    `  Lambda API      ${state.lambda.endpoint}`,
    ...(state.lambda.functionEndpoint
      ? [`                  ${state.lambda.functionEndpoint} for functions: Event invokes queued and retried`]
      : []),
    `  S3              ${emulators.s3.endpoint}  (SigV4 required: access key ${state.credentials.accessKeyId}, see the state file)`,
    `  SQS             ${emulators.sqs.endpoint}`,
    `  DynamoDB        ${emulators.dynamodb.endpoint}`,
    `  Data            ${state.dataDir ?? 'in memory (set INTAKE_DATA_DIR to keep it)'}`,
    ...(state.auth
      ? [
          `  OIDC issuer     ${state.auth.issuer} (audience ${state.auth.audience})`,
          `                  tokens: npm run token -- --sub <user>  (or POST ${state.auth.tokenEndpoint})`,
        ]
      : []),
    ...(consoleUrl
      ? [
          `  Console         ${consoleUrl}`,
          `                  (an admin token valid ${CONSOLE_TOKEN_TTL_SECONDS / 3600} h; a fresh link: npm run console)`,
        ]
      : []),
    '',
    '  Buckets',
    ...resources.buckets.map(
      (bucket) => `    ${bucket.name}${bucket.logicalId ? `  (${bucket.logicalId})` : ''}`,
    ),
    '  Queues',
    ...resources.queues.map(
      (queue) =>
        `    ${queue.url}  (${queue.logicalId}${queue.maxReceiveCount ? `, DLQ after ${queue.maxReceiveCount} receives` : ''})`,
    ),
    '  Tables',
    ...resources.tables.map((table) => `    ${table.name}  (${table.logicalId})`),
    '  S3 notifications',
    ...mappings.s3.map((subscription) => `    ${s3Rule(subscription)} → ${subscription.functionName}`),
    '  SQS event sources',
    ...mappings.sqs.map(
      (mapping) =>
        `    ${mapping.queueUrl} → ${mapping.functionName} (batch ${mapping.batchSize}, window ${mapping.maximumBatchingWindowSeconds}s${mapping.reportBatchItemFailures ? ', ReportBatchItemFailures' : ''}${mapping.enabled ? '' : ', disabled'})`,
    ),
    '',
    `  State file      ${stateFile}`,
  ];
  return lines.join('\n');
}
