import { profilerOptions } from './profiler-options';

/** Local endpoints and defaults every handler gets, so its SDK clients reach the emulators. */
export interface LocalEndpoints {
  s3: string;
  sqs: string;
  dynamodb: string;
  lambda: string;
}

/**
 * The local account's access key, defined here only: handlers get it when the shell gives no keys, the
 * local S3 accepts it (and refuses unknown keys, as AWS does), and the state file names it for scripts and
 * tests. Frozen: the SDK writes bookkeeping (`$source`) into the credentials objects it is given, so
 * clients get copies.
 */
export const LOCAL_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = Object.freeze({
  accessKeyId: 'local',
  secretAccessKey: 'local',
});

/**
 * The credentials handlers sign with locally (the shell's, else the dummy ones): the presigned-POST
 * check in front of s3rver verifies signatures with the same secret.
 */
export function handlerCredentials(shellEnv: NodeJS.ProcessEnv): {
  accessKeyId: string;
  secretAccessKey: string;
} {
  return {
    accessKeyId: shellEnv.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
    secretAccessKey: shellEnv.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/**
 * The variables handlers need locally. A value already in `shellEnv` (the command line, or `.env`,
 * which the framework loads without overriding the shell) wins over these defaults.
 */
export function localHandlerEnvironment(
  endpoints: LocalEndpoints,
  region: string,
  shellEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const defaults: Record<string, string> = {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // Lambda sets it for on-demand instances; Powertools reports cold_start only when it says so.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
  const environment = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [name, shellEnv[name] ?? value]),
  );
  // A profiled stack profiles its functions too: offline's worker threads read NODE_OPTIONS from here.
  const profiling = profilerOptions(shellEnv.NODE_OPTIONS);
  return profiling.length > 0 ? { ...environment, NODE_OPTIONS: profiling.join(' ') } : environment;
}
