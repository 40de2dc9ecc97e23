import type * as TracerModule from '@aws-lambda-powertools/tracer';
import type * as TracerMiddlewareModule from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '../middleware/middy';

/**
 * Whether this function traces its invocations in X-Ray: the rule Powertools Tracer 2.x applies when it is
 * constructed (`Tracer#setTracingEnabled`), decided once, at init, for the whole function. On in a Lambda
 * execution environment (`AWS_EXECUTION_ENV` set; `tracing.lambda: true` in serverless.yml gives the
 * function its trace header), unless `POWERTOOLS_TRACE_ENABLED` is `false` (the local stack sets it), SAM
 * local (`AWS_SAM_LOCAL`) or the Amplify mock runs it. Values are trimmed and compared case-insensitively,
 * as Powertools does.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const read = (key: string) => env[key]?.trim() ?? '';
  const executionEnv = read('AWS_EXECUTION_ENV');
  return (
    read('POWERTOOLS_TRACE_ENABLED').toLowerCase() !== 'false' &&
    read('AWS_SAM_LOCAL') === '' &&
    executionEnv !== '' &&
    executionEnv !== 'AWS_Lambda_amplify-mock'
  );
}

let capture: MiddlewareObj | undefined;

/**
 * The middleware that records each invocation as a `## <handler>` X-Ray subsegment (Powertools'
 * `captureLambdaHandler`, with cold start and service annotations), or `undefined` when tracing is off.
 *
 * Off, nothing of tracing is loaded: the Tracer imports aws-xray-sdk-core, whose cls-hooked async hook runs
 * on every promise whether or not anything is traced (8–10% of a worker's CPU, 15% of the receive handler's
 * profile). So the Tracer is required here, inside the function, and only when tracing is on: esbuild bundles
 * it (functions are CommonJS bundles) behind a lazy module initialiser that this call is the only one to run.
 * One Tracer per function, built on first use; SDK clients are not captured one by one.
 */
export function invocationTracing(env: NodeJS.ProcessEnv = process.env): MiddlewareObj | undefined {
  if (!tracingEnabled(env)) return undefined;
  if (capture === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- a static import would load X-Ray with tracing off */
    const { Tracer } = require('@aws-lambda-powertools/tracer') as typeof TracerModule;
    const { captureLambdaHandler } =
      require('@aws-lambda-powertools/tracer/middleware') as typeof TracerMiddlewareModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    capture = captureLambdaHandler(new Tracer()) as MiddlewareObj;
  }
  return capture;
}
