import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Tracer of a function (X-Ray). A silent no-op outside Lambda, or with POWERTOOLS_TRACE_ENABLED=false.
 * SDK clients are not captured one by one: the middleware's captureLambdaHandler traces the invocation.
 */
export const tracer = new Tracer();
