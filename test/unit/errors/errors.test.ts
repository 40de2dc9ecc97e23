import {
  AccessDeniedError,
  AppError,
  BadRequestError,
  ConflictError,
  CredentialsError,
  IntegrationError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RouteNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  TimeoutError,
  UnauthorizedError,
  isAppError,
} from '../../../src/errors';

describe('HTTP-facing errors', () => {
  it.each([
    [new BadRequestError(), 400, 'BAD_REQUEST'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
    [new RouteNotFoundError(), 404, 'ROUTE_NOT_FOUND'],
    [new ConflictError(), 409, 'CONFLICT'],
    [new PayloadTooLargeError(), 413, 'PAYLOAD_TOO_LARGE'],
  ])('%s answers %i with code %s and is never retried', (error, statusCode, code) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ statusCode, code, retryable: false, name: error.constructor.name });
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('keeps details and cause when given', () => {
    const cause = new Error('root');
    const error = new BadRequestError('bad', { details: { fields: [] }, cause });
    expect(error).toMatchObject({ message: 'bad', details: { fields: [] }, cause });
  });
});

describe('integration errors', () => {
  const context = { service: 'S3', operation: 'GetObject', resource: 'uploads/a' };
  it.each([
    [CredentialsError, 'CREDENTIALS', false],
    [AccessDeniedError, 'ACCESS_DENIED', false],
    [NotFoundError, 'NOT_FOUND', false],
    [PreconditionFailedError, 'PRECONDITION_FAILED', false],
    [ThrottledError, 'THROTTLED', true],
    [ServiceUnavailableError, 'SERVICE_UNAVAILABLE', true],
    [TimeoutError, 'TIMEOUT', true],
    [InvalidRequestError, 'INVALID_REQUEST', false],
  ])(
    '%p has code %s and retryable %s, and names service, operation and resource',
    (ErrorClass, code, retryable) => {
      const error = new ErrorClass('failed', context);
      expect(error).toBeInstanceOf(IntegrationError);
      expect(isAppError(error)).toBe(true);
      expect(error).toMatchObject({ code, retryable, ...context });
    },
  );

  it('statuses: 404 not found, 412 precondition, 503 unavailable/throttled, 400 invalid request', () => {
    expect(new NotFoundError('x', context).statusCode).toBe(404);
    expect(new PreconditionFailedError('x', context).statusCode).toBe(412);
    expect(new ServiceUnavailableError('x', context).statusCode).toBe(503);
    expect(new ThrottledError('x', context).statusCode).toBe(503);
    expect(new InvalidRequestError('x', context).statusCode).toBe(400);
  });

  it('leaves resource undefined when not given', () => {
    expect(new NotFoundError('x', { service: 'SQS', operation: 'SendMessage' }).resource).toBeUndefined();
  });

  it('isAppError rejects plain errors and non-errors', () => {
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError('x')).toBe(false);
  });
});
