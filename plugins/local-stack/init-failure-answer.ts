import type { PoolGet, PooledFunction } from './function-pool-limit';

/** What API Gateway (HTTP API) answers when the integration's function cannot initialise. */
export const SERVICE_UNAVAILABLE_ANSWER = Object.freeze({
  statusCode: 503,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Service Unavailable' }),
  isBase64Encoded: false,
});

/** True for an HTTP API (payload 2.0) event: the invocations API Gateway answers for. */
export function isHttpApiEvent(event: unknown): boolean {
  const candidate = event as { version?: unknown; routeKey?: unknown; requestContext?: { http?: unknown } };
  return (
    candidate?.version === '2.0' && typeof candidate.routeKey === 'string' && !!candidate.requestContext?.http
  );
}

const answering = new WeakSet<PooledFunction>();

/**
 * Makes every instance the pool hands out answer an HTTP API request whose function failed to initialise
 * as API Gateway does, `503 {"message":"Service Unavailable"}`, where serverless-offline answers 500 as
 * for a function error. (Offline has already logged the error with its stack.) Every other failure, and
 * every invocation that is not an HTTP API event (Lambda API invokes, SQS, S3), is left as it was.
 * `isInitFailure` tells an init failure from a function error (upstream-internals.ts knows how).
 */
export function answeringInitFailures(get: PoolGet, isInitFailure: (error: unknown) => boolean): PoolGet {
  return function getAnswering(this: object, functionKey, functionDefinition) {
    const instance = get.call(this, functionKey, functionDefinition);
    if (answering.has(instance)) return instance;
    answering.add(instance);
    let event: unknown;
    const setEvent = instance.setEvent.bind(instance);
    const run = instance.runHandler.bind(instance);
    Object.assign(instance, {
      setEvent: (value: unknown) => {
        event = value;
        setEvent(value);
      },
      runHandler: async () => {
        const request = event;
        try {
          return await run();
        } catch (error) {
          if (isHttpApiEvent(request) && isInitFailure(error)) return { ...SERVICE_UNAVAILABLE_ANSWER };
          throw error;
        }
      },
    });
    return instance;
  };
}
