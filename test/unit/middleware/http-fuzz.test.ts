import fc from 'fast-check';
import * as z from 'zod/mini';
import { httpHandler } from '../../../src/middleware/http';
import { httpEvent, lambdaContext } from './events';

// Property: no client input — any body, encoding, content type, path or query — yields a 5xx or a throw.
const handler = httpHandler(async (event) => ({ statusCode: 200, body: JSON.stringify(event.body) }), {
  bodySchema: z.object({ name: z.string(), tags: z.optional(z.array(z.string())) }),
  pathSchema: z.object({ id: z.string().check(z.maxLength(8)) }),
  querySchema: z.object({ page: z.optional(z.string()) }),
});

const contentTypes = fc.oneof(
  fc.constant('application/json'),
  fc.constant('application/json; charset=utf-8'),
  fc.constant('text/plain'),
  fc.constant(undefined),
  fc.string(),
);
const bodies = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constant(undefined),
);
const stringMaps = fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined });

describe('httpHandler under arbitrary client input', () => {
  it('answers 200 or a 4xx JSON error, never a 5xx, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.boolean(),
        contentTypes,
        stringMaps,
        stringMaps,
        async (body, base64, contentType, pathParameters, queryStringParameters) => {
          const event = httpEvent({
            body: body !== undefined && base64 ? Buffer.from(body).toString('base64') : body,
            isBase64Encoded: base64,
            headers: contentType === undefined ? {} : { 'content-type': contentType },
            pathParameters,
            queryStringParameters,
          });
          const response = await handler(event, lambdaContext());
          expect(
            response.statusCode === 200 || (response.statusCode >= 400 && response.statusCode < 500),
          ).toBe(true);
          if (response.statusCode >= 400) {
            const parsed = JSON.parse(response.body ?? '') as { error: { code: string; requestId: string } };
            expect(parsed.error.code).toBe('BAD_REQUEST');
            expect(parsed.error.requestId).toBe('gateway-request-id');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
