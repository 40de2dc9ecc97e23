import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { logger } from '../observability/logger';
import { invocationTracing } from '../observability/tracer';
import { errorResponse } from './error-response';
import { httpErrorHandler } from './http-error-handler';
import { requestIdOf, type HttpResult } from './http-types';
import { jsonBody } from './json-body';
import { publishMetrics } from './publish-metrics';
import { middy, type MiddlewareObj } from './middy';
import { requestContext } from './request-context';
import { validateRequest } from './validate-request';

type Schema = z.core.$ZodType;
type Parsed<S, Otherwise> = S extends Schema ? z.output<S> : Otherwise;

export interface HttpHandlerOptions<
  B extends Schema | undefined,
  P extends Schema | undefined,
  Q extends Schema | undefined,
> {
  /** Validates the JSON body (implies `json`). */
  bodySchema?: B;
  /** Validates `pathParameters` (`{}` when absent). */
  pathSchema?: P;
  /** Validates `queryStringParameters` (`{}` when absent). */
  querySchema?: Q;
  /** Parse the body as JSON (default: true when a bodySchema is given). Malformed JSON → 400. */
  json?: boolean;
  /**
   * Refuses a caller by throwing (UnauthorizedError 401, ForbiddenError 403). Runs before the body is
   * parsed or validated, so a caller without a token learns nothing about what the route accepts.
   */
  authorize?: (event: APIGatewayProxyEventV2) => void;
}

/** The API Gateway v2 event as the handler sees it: body, path and query replaced by their validated values. */
export type HttpEvent<B = undefined, P = undefined, Q = undefined> = Omit<
  APIGatewayProxyEventV2,
  'body' | 'pathParameters' | 'queryStringParameters'
> & {
  body: Parsed<B, unknown>;
  pathParameters: Parsed<P, APIGatewayProxyEventV2['pathParameters']>;
  queryStringParameters: Parsed<Q, APIGatewayProxyEventV2['queryStringParameters']>;
};

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/**
 * The HTTP stack (API Gateway HTTP API, payload v2), in order: logger with Lambda context and the request id
 * as correlation id, tracer, metrics (with ColdStart), `x-request-id`, error handler, authorization, JSON
 * body, validation.
 * Every failure — typed error, bad input, bug — becomes a JSON answer `{"error":{"code","message","requestId"}}`;
 * the returned handler never throws (API Gateway would answer a throw with a bare 500).
 */
export function httpHandler<
  B extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
>(
  fn: (event: HttpEvent<B, P, Q>, context: Context) => Promise<HttpResult>,
  options: HttpHandlerOptions<B, P, Q> = {},
): HttpHandler {
  const stack = middy(fn as unknown as HttpHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(invocationTracing() ?? [])
    .use(publishMetrics())
    .use(requestContext())
    .use(httpErrorHandler());
  const { authorize } = options;
  // A middy `before` that returns a value ends the request with it: call, and return nothing.
  if (authorize) {
    const authorizeFirst: MiddlewareObj<APIGatewayProxyEventV2, HttpResult> = {
      before: (request) => {
        authorize(request.event);
      },
    };
    stack.use(authorizeFirst);
  }
  if (options.json ?? options.bodySchema !== undefined) stack.use(jsonBody());
  if (options.bodySchema || options.pathSchema || options.querySchema) {
    stack.use(
      validateRequest({
        bodySchema: options.bodySchema,
        pathSchema: options.pathSchema,
        querySchema: options.querySchema,
      }),
    );
  }
  return async (event, context) => {
    try {
      return await stack(event, context);
    } catch (error) {
      // Only reached when a middleware's own onError throws: still answer, never crash.
      // middy keeps the handler's error as `originalError`: answer for that one, not for the failed hook.
      const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
      logger.error('HTTP stack failed outside the error handler', { error: error as Error });
      return errorResponse(original, requestIdOf(event, context));
    }
  };
}
