import * as z from 'zod/mini';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  ThrottledError,
  UnauthorizedError,
} from '../../../src/errors';
import { httpHandler } from '../../../src/middleware/http';
import { logger } from '../../../src/observability/logger';
import { bodyOf, httpEvent, lambdaContext } from './events';

const context = lambdaContext();

describe('httpHandler error answers', () => {
  it.each([
    [new BadRequestError('The amount is missing'), 400, 'BAD_REQUEST', 'The amount is missing'],
    [new UnauthorizedError('Bad signature'), 401, 'UNAUTHORIZED', 'Bad signature'],
    [new ConflictError('Already exists'), 409, 'CONFLICT', 'Already exists'],
    [
      new NotFoundError('S3 GetObject: the resource does not exist', {
        service: 'S3',
        operation: 'GetObject',
      }),
      404,
      'NOT_FOUND',
      'S3 GetObject: the resource does not exist',
    ],
  ])(
    'a thrown %p becomes %i JSON with its code, message and the request id',
    async (error, statusCode, code, message) => {
      const handler = httpHandler(async () => {
        throw error;
      });
      const response = await handler(httpEvent(), context);
      expect(response.statusCode).toBe(statusCode);
      expect(response.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'x-request-id': 'gateway-request-id',
      });
      expect(bodyOf(response)).toEqual({ error: { code, message, requestId: 'gateway-request-id' } });
    },
  );

  it('an unknown error becomes 500 INTERNAL without its message or stack', async () => {
    const handler = httpHandler(async () => {
      throw new TypeError(
        'Cannot read properties of undefined (reading "secretKey") at /var/task/index.js:1',
      );
    });
    const response = await handler(httpEvent(), context);
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({
      error: { code: 'INTERNAL', message: 'Internal error', requestId: 'gateway-request-id' },
    });
    expect(response.body).not.toContain('secretKey');
  });

  it('a retryable integration error becomes 503 with its code, a generic message and retry-after', async () => {
    const handler = httpHandler(async () => {
      throw new ThrottledError('SQS SendMessage was throttled for arn:aws:sqs:us-east-1:123456789012:q', {
        service: 'SQS',
        operation: 'SendMessage',
      });
    });
    const response = await handler(httpEvent(), context);
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'THROTTLED',
        message: 'A dependency is unavailable; retry later',
        requestId: 'gateway-request-id',
      },
    });
  });

  it('a thrown non-Error value still becomes 500 JSON', async () => {
    const handler = httpHandler(async () => {
      throw 'just a string';
    });
    expect((await handler(httpEvent(), context)).statusCode).toBe(500);
  });

  it('falls back to the Lambda request id when the event has no API Gateway request id', async () => {
    const handler = httpHandler(async () => {
      throw new BadRequestError();
    });
    const event = httpEvent();
    const response = await handler(
      { ...event, requestContext: { ...event.requestContext, requestId: '' } },
      context,
    );
    expect(bodyOf(response)).toMatchObject({ error: { requestId: 'lambda-request-id' } });
    expect(response.headers).toMatchObject({ 'x-request-id': 'lambda-request-id' });
  });
});

describe('request ids under serverless-offline', () => {
  it("uses the Lambda request id instead of offline's constant placeholder", async () => {
    const handler = httpHandler(async () => ({ statusCode: 204 }));
    const event = httpEvent();
    const response = await handler(
      { ...event, requestContext: { ...event.requestContext, requestId: 'offlineContext_resourceId' } },
      context,
    );
    expect(response.headers).toMatchObject({ 'x-request-id': 'lambda-request-id' });
  });
});

describe('httpHandler success answers', () => {
  it('passes the handler result through and adds x-request-id', async () => {
    const handler = httpHandler(async () => ({
      statusCode: 202,
      headers: { 'x-custom': '1' },
      body: '{"ok":true}',
    }));
    const response = await handler(httpEvent(), context);
    expect(response).toEqual({
      statusCode: 202,
      headers: { 'x-custom': '1', 'x-request-id': 'gateway-request-id' },
      body: '{"ok":true}',
    });
  });

  it('leaves the raw body untouched without json or a body schema (signatures need the raw bytes)', async () => {
    const seen: unknown[] = [];
    const handler = httpHandler(async (event) => {
      seen.push(event.body);
      return { statusCode: 204 };
    });
    await handler(httpEvent({ body: '{"a": 1}' }), context);
    expect(seen).toEqual(['{"a": 1}']);
  });
});

describe('httpHandler JSON bodies', () => {
  const echo = httpHandler(async (event) => ({ statusCode: 200, body: JSON.stringify(event.body) }), {
    json: true,
  });

  it('parses a JSON body, plain or base64-encoded', async () => {
    expect(bodyOf(await echo(httpEvent({ body: '{"a":1}' }), context))).toEqual({ a: 1 });
    const encoded = Buffer.from('{"b":2}').toString('base64');
    expect(bodyOf(await echo(httpEvent({ body: encoded, isBase64Encoded: true }), context))).toEqual({
      b: 2,
    });
  });

  it('accepts JSON media types with parameters and +json suffixes', async () => {
    const event = httpEvent({
      body: '[1]',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
    });
    expect(bodyOf(await echo(event, context))).toEqual([1]);
  });

  it.each(['{bad json', '', '{"a":'])(
    'malformed JSON %p → 400 BAD_REQUEST, not middy’s bare 415 or 422',
    async (body) => {
      const response = await echo(httpEvent({ body }), context);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual({
        error: {
          code: 'BAD_REQUEST',
          message: 'The body is not valid JSON',
          requestId: 'gateway-request-id',
        },
      });
    },
  );

  it('a missing body → 400', async () => {
    expect((await echo(httpEvent({ body: undefined }), context)).statusCode).toBe(400);
  });

  it('a non-JSON content type → 400 naming the expected type, without echoing the body', async () => {
    const response = await echo(
      httpEvent({ body: 'secret=1', headers: { 'content-type': 'text/plain' } }),
      context,
    );
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({
      error: { message: 'The body must be JSON sent with content-type application/json' },
    });
    expect(response.body).not.toContain('secret=1');
  });

  it('no content type at all → 400', async () => {
    expect((await echo(httpEvent({ body: '{}', headers: {} }), context)).statusCode).toBe(400);
  });
});

describe('httpHandler validation', () => {
  const handler = httpHandler(
    async (event) => ({
      statusCode: 200,
      body: JSON.stringify({
        body: event.body,
        path: event.pathParameters,
        query: event.queryStringParameters,
      }),
    }),
    {
      bodySchema: z.object({ name: z.string().check(z.minLength(1)), amount: z.number() }),
      pathSchema: z.object({ id: z.string().check(z.regex(/^\d+$/)) }),
      querySchema: z.object({ verbose: z.optional(z.enum(['true', 'false'])) }),
    },
  );

  it('hands the parsed, validated body, path and query to the handler', async () => {
    const event = httpEvent({ body: '{"name":"a","amount":3,"extra":true}', pathParameters: { id: '42' } });
    expect(bodyOf(await handler(event, context))).toEqual({
      body: { name: 'a', amount: 3 },
      path: { id: '42' },
      query: {},
    });
  });

  it('answers 400 listing every invalid field of body, path and query at once', async () => {
    const event = httpEvent({
      body: '{"name":"","amount":"3"}',
      pathParameters: { id: 'abc' },
      queryStringParameters: { verbose: 'maybe' },
    });
    const response = await handler(event, context);
    expect(response.statusCode).toBe(400);
    const { error } = bodyOf(response) as {
      error: { code: string; fields: { field: string; message: string }[] };
    };
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields.map((field) => field.field)).toEqual([
      'body.name',
      'body.amount',
      'path.id',
      'query.verbose',
    ]);
    expect(error.fields[1]?.message).toBe('Expected number');
  });

  it('validates path parameters even without a JSON body', async () => {
    const pathOnly = httpHandler(async () => ({ statusCode: 204 }), {
      pathSchema: z.object({ id: z.string() }),
    });
    const response = await pathOnly(httpEvent({ pathParameters: undefined }), context);
    expect(bodyOf(response)).toMatchObject({
      error: { fields: [{ field: 'path.id', code: 'invalid_type' }] },
    });
  });
});

describe('httpHandler when a middleware itself fails', () => {
  it('still answers with the original error, never throws', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => {
      throw new Error('log sink broken');
    });
    try {
      const handler = httpHandler(async () => {
        throw new UnauthorizedError('Bad signature');
      });
      const response = await handler(httpEvent(), context);
      expect(response.statusCode).toBe(401);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    } finally {
      info.mockRestore();
    }
  });
});

describe('httpHandler authorize', () => {
  const schema = z.object({ name: z.string() });

  it('refuses the caller before the body is parsed or validated', async () => {
    const handler = jest.fn(async () => ({ statusCode: 200 }));
    const wrapped = httpHandler(handler, {
      bodySchema: schema,
      authorize: () => {
        throw new UnauthorizedError('no token');
      },
    });
    const response = await wrapped(httpEvent({ body: 'not json' }), lambdaContext());
    expect(response.statusCode).toBe(401);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'no token' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('runs the handler when authorize returns, even if it returns a value (middy would answer with it)', async () => {
    const wrapped = httpHandler(async () => ({ statusCode: 204 }), {
      authorize: (() => 'alice') as unknown as () => void,
    });
    const response = await wrapped(httpEvent({ body: undefined }), lambdaContext());
    expect(response.statusCode).toBe(204);
  });
});
