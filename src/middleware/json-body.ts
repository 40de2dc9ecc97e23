import type { MiddlewareObj } from './middy';
import { httpJsonBodyParser } from './middy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError } from '../errors';

export const defaults = {};

/**
 * Parses a JSON body (base64 or not) with @middy/http-json-body-parser, whose answers to a missing,
 * non-JSON or malformed body are bare 415s and 422s (middy 7), and turns those into our 400 BAD_REQUEST. The body itself is
 * never echoed back or kept in the error (it may hold personal data).
 */
export function jsonBody(_opts: Partial<typeof defaults> = {}): MiddlewareObj<APIGatewayProxyEventV2> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const contentType = request.event.headers?.['content-type'];
      try {
        await parser.before?.(request as Parameters<NonNullable<typeof parser.before>>[0]);
      } catch {
        throw new BadRequestError(
          contentType !== undefined && /^application\/(.+\+)?json($|;)/i.test(contentType)
            ? 'The body is not valid JSON'
            : 'The body must be JSON sent with content-type application/json',
        );
      }
    },
  };
}
