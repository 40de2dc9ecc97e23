import type { MiddlewareObj } from './middy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { BadRequestError } from '../errors';
import { describeIssue } from './issue-message';

export interface RequestSchemas {
  bodySchema?: z.core.$ZodType;
  pathSchema?: z.core.$ZodType;
  querySchema?: z.core.$ZodType;
}

export const defaults: RequestSchemas = {};

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/**
 * Validates the (already JSON-parsed) body, the path parameters and the query string against zod schemas
 * (zod/mini or zod 4) and replaces each with its parsed output. Problems of all three are gathered into one
 * BadRequestError whose `details.fields` lists `{ field: 'body.amount', code, message }`; values are never
 * echoed back.
 */
export function validateRequest(opts: RequestSchemas = {}): MiddlewareObj<APIGatewayProxyEventV2> {
  const { bodySchema, pathSchema, querySchema } = { ...defaults, ...opts };
  const parts = [
    ['body', bodySchema],
    ['pathParameters', pathSchema],
    ['queryStringParameters', querySchema],
  ] as const;
  return {
    before: (request) => {
      const event = request.event as unknown as Record<string, unknown>;
      const fields: FieldProblem[] = [];
      for (const [part, schema] of parts) {
        if (!schema) continue;
        const input = part === 'body' ? event[part] : (event[part] ?? {});
        const result = z.safeParse(schema, input);
        if (result.success) {
          event[part] = result.data;
        } else {
          for (const issue of result.error.issues) {
            fields.push({
              field: [labelOf(part), ...issue.path.map(String)].join('.'),
              code: issue.code,
              message: describeIssue(issue),
            });
          }
        }
      }
      if (fields.length > 0) {
        throw new BadRequestError('The request is not valid', { details: { fields } });
      }
    },
  };
}

function labelOf(part: string): string {
  if (part === 'pathParameters') return 'path';
  if (part === 'queryStringParameters') return 'query';
  return part;
}
