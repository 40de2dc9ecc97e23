import type { MiddlewareObj } from './middy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { logger as defaultLogger } from '../observability/logger';
import { requestIdOf, type HttpResult } from './http-types';

export const defaults = { logger: defaultLogger };

/**
 * Uses the API Gateway request id (else the Lambda request id) as the log correlation id and returns it
 * to the client in `x-request-id`, so a caller quoting it leads straight to the log lines.
 */
export function requestContext(
  opts: Partial<typeof defaults> = {},
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const { logger } = { ...defaults, ...opts };
  return {
    before: (request) => {
      logger.setCorrelationId(requestIdOf(request.event, request.context));
    },
    after: (request) => {
      const response = request.response;
      if (typeof response !== 'object' || response === null) return;
      response.headers = { ...response.headers, 'x-request-id': requestIdOf(request.event, request.context) };
    },
  };
}
