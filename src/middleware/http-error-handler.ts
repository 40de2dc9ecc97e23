import type { MiddlewareObj } from './middy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AppError } from '../errors';
import { logger as defaultLogger } from '../observability/logger';
import { errorResponse } from './error-response';
import { requestIdOf, type HttpResult } from './http-types';

export const defaults = { logger: defaultLogger };

/**
 * Turns every error of the stack into a JSON answer (see `errorResponse`) and logs it once: client errors
 * at info, server errors at error with the stack (at info, without it, for a `routine` error).
 * Never rethrows: API Gateway would answer a throw with a bare 500 `{"message":"Internal Server Error"}`,
 * with no request id and no error code.
 */
export function httpErrorHandler(
  opts: Partial<typeof defaults> = {},
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const { logger } = { ...defaults, ...opts };
  return {
    onError: (request) => {
      const { error } = request;
      const requestId = requestIdOf(request.event, request.context);
      const response = errorResponse(error, requestId);
      if (response.statusCode < 500) {
        logger.info('Request rejected', { statusCode: response.statusCode, code: (error as AppError).code });
      } else if ((error as Partial<AppError> | undefined)?.routine === true) {
        logger.info('Request failed (routine: expected, or reported once where found)', {
          statusCode: response.statusCode,
          code: (error as AppError).code,
        });
      } else {
        logger.error('Request failed', { statusCode: response.statusCode, error: error as Error });
      }
      request.response = response;
    },
  };
}
