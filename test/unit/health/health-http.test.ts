import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { cachedReport, createHealthHttpHandler } from '../../../src/health/health-http';
import type { HealthReport } from '../../../src/health/health-report';
import healthTemplate from '../../../events/health.json';
import integrationsTemplate from '../../../events/health-integrations.json';
import { bodyOf, lambdaContext } from '../middleware/events';

const ok: HealthReport = { status: 'ok', failing: [], checks: { s3: { status: 'ok', latencyMs: 1 } } };
const failing: HealthReport = {
  status: 'error',
  failing: ['s3'],
  checks: { s3: { status: 'error', latencyMs: 1, reason: 'NOT_FOUND (NotFound)' } },
};

/** A promise with its settle functions, to hold a check in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('cachedReport', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => (clock = Date.UTC(2026, 10, 23, 14, 0, 0)));

  it('reuses one report within the TTL and checks again once it has passed', async () => {
    const check = jest.fn(async () => ok);
    const report = cachedReport(check, 10_000, now);
    const first = await report();
    expect(first).toEqual({ ...ok, checkedAt: '2026-11-23T14:00:00.000Z' });
    clock += 9_999;
    expect(await report()).toBe(first);
    expect(check).toHaveBeenCalledTimes(1);
    clock += 1; // exactly the TTL: stale
    expect(await report()).toEqual({ ...ok, checkedAt: '2026-11-23T14:00:10.000Z' });
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('lets concurrent callers share the check in flight', async () => {
    const inFlight = deferred<HealthReport>();
    const check = jest.fn(() => inFlight.promise);
    const report = cachedReport(check, 10_000, now);
    const calls = Array.from({ length: 20 }, () => report());
    expect(check).toHaveBeenCalledTimes(1);
    inFlight.resolve(ok);
    const results = await Promise.all(calls);
    expect(new Set(results).size).toBe(1);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('checks on every call with a TTL of 0', async () => {
    const check = jest.fn(async () => ok);
    const report = cachedReport(check, 0, now);
    await report();
    await report();
    await Promise.all([report(), report()]);
    expect(check).toHaveBeenCalledTimes(4);
  });

  it('never reuses a failed check: the next call, within the TTL, checks again', async () => {
    const check = jest.fn<Promise<HealthReport>, []>().mockRejectedValueOnce(new Error('boom'));
    check.mockResolvedValue(ok);
    const report = cachedReport(check, 10_000, now);
    await expect(report()).rejects.toThrow('boom');
    clock += 1;
    expect(await report()).toMatchObject({ status: 'ok' });
    expect(await report()).toMatchObject({ status: 'ok' });
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('gives every concurrent caller of a failing check the failure, then checks afresh', async () => {
    const inFlight = deferred<HealthReport>();
    const check = jest.fn(() => inFlight.promise);
    const report = cachedReport(check, 10_000, now);
    const calls = [report(), report(), report()];
    inFlight.reject(new Error('down'));
    for (const call of calls) await expect(call).rejects.toThrow('down');
    check.mockImplementation(async () => ok);
    expect(await report()).toMatchObject({ status: 'ok' });
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('keeps a newer report when an older, stale check fails after it', async () => {
    const older = deferred<HealthReport>();
    const check = jest.fn<Promise<HealthReport>, []>().mockReturnValueOnce(older.promise);
    check.mockResolvedValue(ok);
    const report = cachedReport(check, 1_000, now);
    const stale = report();
    clock += 1_000;
    const newer = await report();
    older.reject(new Error('late failure'));
    await expect(stale).rejects.toThrow('late failure');
    expect(await report()).toBe(newer);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('reuses a report that names failing integrations (it is a report, not a failed check)', async () => {
    const check = jest.fn(async () => failing);
    const report = cachedReport(check, 10_000, now);
    await report();
    expect(await report()).toMatchObject({ status: 'error', failing: ['s3'] });
    expect(check).toHaveBeenCalledTimes(1);
  });
});

describe('createHealthHttpHandler', () => {
  const context = lambdaContext();
  const event = (template: unknown) => structuredClone(template) as APIGatewayProxyEventV2;
  const withClaims = (claims: Record<string, unknown> | undefined) => {
    const request = event(integrationsTemplate);
    if (claims)
      (request.requestContext as unknown as { authorizer: unknown }).authorizer = { jwt: { claims } };
    else delete (request.requestContext as { authorizer?: unknown }).authorizer;
    return request;
  };

  let clock: number;
  let check: jest.Mock<Promise<HealthReport>, []>;
  const handler = (cacheSeconds = 10) =>
    createHealthHttpHandler({ checkIntegrations: check, cacheSeconds, now: () => clock });
  beforeEach(() => {
    clock = Date.UTC(2026, 10, 23, 14, 0, 0);
    check = jest.fn(async () => ok);
  });

  it('answers GET /health 200 {"status":"ok"} without running any check, claims or not', async () => {
    const serve = handler();
    const response = await serve(event(healthTemplate), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ status: 'ok' });
    expect(response.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    const withToken = event(healthTemplate);
    (withToken.requestContext as unknown as { authorizer: unknown }).authorizer =
      integrationsTemplate.requestContext.authorizer;
    expect((await serve(withToken, context)).statusCode).toBe(200);
    expect(check).not.toHaveBeenCalled();
  });

  it('answers liveness 200 even when every integration is down', async () => {
    check.mockResolvedValue(failing);
    expect((await handler()(event(healthTemplate), context)).statusCode).toBe(200);
    expect(check).not.toHaveBeenCalled();
  });

  it('answers the integrations report 200 to a token with intake/admin, with checkedAt', async () => {
    const response = await handler()(event(integrationsTemplate), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(bodyOf(response)).toEqual({ ...ok, checkedAt: '2026-11-23T14:00:00.000Z' });
  });

  it('answers 503 naming the failing integrations', async () => {
    check.mockResolvedValue(failing);
    const response = await handler()(event(integrationsTemplate), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ status: 'error', failing: ['s3'] });
  });

  it('answers 401 UNAUTHORIZED without verified claims, running no check', async () => {
    const response = await handler()(withClaims(undefined), context);
    expect(response.statusCode).toBe(401);
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'UNAUTHORIZED',
        message: expect.any(String),
        requestId: 'health-integrations-sample-request-id',
      },
    });
    expect(check).not.toHaveBeenCalled();
  });

  it.each([
    ['no scope', { sub: 'alice' }],
    ['the documents scopes', { sub: 'alice', scope: 'documents/read documents/write' }],
    ['a look-alike scope', { sub: 'alice', scope: 'intake/administrator' }],
  ])('answers 403 FORBIDDEN to a token with %s, running no check', async (_name, claims) => {
    const response = await handler()(withClaims(claims), context);
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(check).not.toHaveBeenCalled();
  });

  it('accepts the admin scope as scp, as a Cognito token carries it', async () => {
    expect((await handler()(withClaims({ sub: 'op', scp: '[intake/admin]' }), context)).statusCode).toBe(200);
  });

  it('serves one report for the TTL, checks again after it, and shares one check between concurrent calls', async () => {
    const serve = handler(10);
    await Promise.all(Array.from({ length: 5 }, () => serve(event(integrationsTemplate), context)));
    expect(check).toHaveBeenCalledTimes(1);
    clock += 9_000;
    await serve(event(integrationsTemplate), context);
    expect(check).toHaveBeenCalledTimes(1);
    clock += 1_000;
    const later = await serve(event(integrationsTemplate), context);
    expect(check).toHaveBeenCalledTimes(2);
    expect(bodyOf(later)).toMatchObject({ checkedAt: '2026-11-23T14:00:10.000Z' });
  });

  it('checks on every call with cacheSeconds 0', async () => {
    const serve = handler(0);
    await serve(event(integrationsTemplate), context);
    await serve(event(integrationsTemplate), context);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('answers 500 when the check itself throws, and checks again on the next call', async () => {
    check.mockRejectedValueOnce(new Error('bug'));
    const serve = handler(10);
    const failed = await serve(event(integrationsTemplate), context);
    expect(failed.statusCode).toBe(500);
    expect(bodyOf(failed)).toMatchObject({ error: { code: 'INTERNAL', message: 'Internal error' } });
    expect((await serve(event(integrationsTemplate), context)).statusCode).toBe(200);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('answers 404 ROUTE_NOT_FOUND for any other route', async () => {
    const response = await handler()({ ...event(healthTemplate), routeKey: 'GET /health/other' }, context);
    expect(response.statusCode).toBe(404);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
