import { isAbsolute, join } from 'node:path';
import { stateFilePath } from './state';

/** Where and how the local stack runs, read from INTAKE_* variables (documented in docs/local-development.md). */
export interface LocalStackSettings {
  /**
   * `issuer`: the local OIDC issuer's port. serverless.yml puts it in the authorizer's issuerUrl
   * (param jwtIssuer of stage local), which is where the issuer listens; read here so a bad value stops
   * npm start with its one line.
   */
  ports: { s3: number; sqs: number; dynamodb: number; issuer?: number };
  /** Keep S3 objects and DynamoDB items here across restarts; in memory when undefined. */
  dataDir?: string;
  stateFile: string;
  fixtures: boolean;
  /** Bundle every function in one esbuild build (default) rather than serverless-esbuild's one per function. */
  singleBuild: boolean;
  /** Delays between retries of a failed async (S3) invoke; AWS waits minutes, locally seconds. */
  asyncRetryDelaysMs: number[];
  /** Instances (worker threads) serverless-offline may run per function; see function-pool-limit.ts. */
  functionConcurrency: number;
  /**
   * Function keys whose SQS mappings are created but do not poll (INTAKE_PAUSED_SQS_MAPPINGS), as a mapping
   * with `enabled: false`: their queues fill and nothing consumes them (benchmarks of a producer alone).
   */
  pausedSqsMappings?: string[];
}

/** The variable that sets each emulator's port, named in the message when the port is taken. */
export const PORT_VARIABLES = {
  s3: 'INTAKE_S3_PORT',
  sqs: 'INTAKE_SQS_PORT',
  dynamodb: 'INTAKE_DYNAMODB_PORT',
  issuer: 'INTAKE_ISSUER_PORT',
} as const;

/**
 * The variables that set serverless-offline's own listeners (serverless.yml custom.serverless-offline),
 * by offline setting, with what listens there: named when the port is taken.
 */
export const OFFLINE_PORT_VARIABLES = {
  httpPort: { variable: 'INTAKE_HTTP_PORT', listener: 'HTTP API', fallback: '3000' },
  lambdaPort: { variable: 'INTAKE_LAMBDA_PORT', listener: 'Lambda API', fallback: '3002' },
} as const;
/**
 * Read by serverless.yml (`custom.serverless-offline.terminateIdleLambdaTime`), not here: seconds an idle
 * instance (worker thread) lives, default 60. Offline ends the instances still alive at Ctrl-C without their
 * threads writing `--cpu-prof` profiles; profiled benches shorten it so that the workers end first.
 */
export const IDLE_FUNCTION_SECONDS_VARIABLE = 'INTAKE_IDLE_FUNCTION_SECONDS';

/** Instances per function when INTAKE_FUNCTION_CONCURRENCY is not set: enough for the SQS mappings' 5 batches. */
export const DEFAULT_FUNCTION_CONCURRENCY = 5;

const DEFAULT_PORTS = { s3: 4569, sqs: 9324, dynamodb: 8000, issuer: 3004 };

export class LocalSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSettingsError';
  }
}

/** A whole-number variable between 1 and `max`; `fallback` when unset or empty. `what` ends its error. */
function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  max: number,
  what: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new LocalSettingsError(`${name}=${raw} is not ${what}`);
  }
  return value;
}

const port = (env: NodeJS.ProcessEnv, kind: keyof typeof DEFAULT_PORTS): number =>
  wholeNumber(env, PORT_VARIABLES[kind], DEFAULT_PORTS[kind], 65_535, 'a port number (1-65535)');

function delays(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [1_000, 2_000];
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.some((value) => !Number.isFinite(value) || value < 0)) {
    throw new LocalSettingsError(
      `INTAKE_ASYNC_RETRY_DELAYS_MS=${raw} is not a comma-separated list of milliseconds`,
    );
  }
  return values;
}

function functionKeys(raw: string | undefined): string[] {
  const keys = (raw ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  const invalid = keys.find((key) => !/^[A-Za-z0-9-_]+$/.test(key));
  if (invalid !== undefined) {
    throw new LocalSettingsError(
      `INTAKE_PAUSED_SQS_MAPPINGS=${raw} is not a comma-separated list of function keys ("${invalid}")`,
    );
  }
  return keys;
}

/** Reads the settings from `env`, resolving relative paths against `serviceDir`; throws LocalSettingsError. */
export function readLocalStackSettings(env: NodeJS.ProcessEnv, serviceDir: string): LocalStackSettings {
  const path = (value: string) => (isAbsolute(value) ? value : join(serviceDir, value));
  const pausedSqsMappings = functionKeys(env.INTAKE_PAUSED_SQS_MAPPINGS);
  return {
    ports: {
      s3: port(env, 's3'),
      sqs: port(env, 'sqs'),
      dynamodb: port(env, 'dynamodb'),
      issuer: port(env, 'issuer'),
    },
    ...(env.INTAKE_DATA_DIR ? { dataDir: path(env.INTAKE_DATA_DIR) } : {}),
    stateFile: stateFilePath(env, serviceDir),
    fixtures: env.INTAKE_FIXTURES === 'true',
    singleBuild: env.INTAKE_SINGLE_BUILD !== 'false',
    asyncRetryDelaysMs: delays(env.INTAKE_ASYNC_RETRY_DELAYS_MS),
    functionConcurrency: wholeNumber(
      env,
      'INTAKE_FUNCTION_CONCURRENCY',
      DEFAULT_FUNCTION_CONCURRENCY,
      Number.MAX_SAFE_INTEGER,
      'a whole number of at least 1',
    ),
    ...(pausedSqsMappings.length > 0 ? { pausedSqsMappings } : {}),
  };
}
