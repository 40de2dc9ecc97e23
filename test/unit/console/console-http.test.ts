import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createConsoleHttpHandler, type ConsoleApiDependencies } from '../../../src/console/console-http';
import { bodyOf, lambdaContext, routeEvent, type RouteRequest } from '../middleware/events';
import { deliveryRecord, memoryControls, memoryHistory, memoryStorage } from './fakes';

const archiveKey = 'events/github/2026/12/06/d-1.json';
const admin = { sub: 'operator', scope: 'intake/admin' };

function consoleApi(overrides: Partial<ConsoleApiDependencies> = {}) {
  const replayed: string[][] = [];
  const deps: ConsoleApiDependencies = {
    history: memoryHistory(
      [deliveryRecord({ archiveKey }), deliveryRecord({ receipt: 'r-2', status: 'failed' })],
      [{ minute: '2026-12-06T09:59:00.000Z', deliveries: 4, failures: 1 }],
    ),
    controls: memoryControls(),
    storage: memoryStorage({
      [archiveKey]: JSON.stringify({
        source: 'github',
        type: 'push',
        id: 'd-1',
        receivedAt: '2026-12-06T09:00:00.000Z',
        archivedAt: '2026-12-06T09:00:01.000Z',
        headers: {},
        encoding: 'utf8',
        body: '{"a":1}',
      }),
    }),
    // Never reached by these tests: the queue routes run against SQS in test/integration/console.
    sqs: new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    queues: [{ name: 'webhooks', queueUrl: 'http://127.0.0.1:9/q', dlqUrl: 'http://127.0.0.1:9/dlq' }],
    replay: async (keys) => {
      replayed.push([...keys]);
      return { enqueued: keys.length, missing: [], tooLarge: [] };
    },
    newReplayId: () => 'replay-1',
    health: async () => ({ status: 'ok', checks: { s3: { status: 'ok', latencyMs: 3 } } }),
    targets: [{ name: 'webhook-sample-downstream', maxConcurrency: null }],
    estimate: (traffic) => ({ totalUsd: 0.5, traffic }),
    now: () => new Date('2026-12-06T10:00:00.000Z'),
    ...overrides,
  };
  const handler = createConsoleHttpHandler(deps);
  const call = (routeKey: string, request: RouteRequest = {}) =>
    handler(routeEvent(routeKey, request, admin), lambdaContext());
  return { call, replayed };
}

describe('the console API routes', () => {
  it('answers 401 without verified claims and 403 without the admin scope, on every route', async () => {
    const { call } = consoleApi();
    // Every route serverless/console.yml declares, so a route added there without the admin check fails here.
    const declared = readFileSync(join(__dirname, '../../../serverless/console.yml'), 'utf8');
    const routeKeys = [...declared.matchAll(/method: (\w+)\n\s+path: (\S+)/g)].map(
      ([, method, path]) => `${method} ${path}`,
    );
    expect(routeKeys).toHaveLength(14);
    for (const routeKey of routeKeys) {
      const anonymous = await call(routeKey, { claims: null, body: {} });
      expect(anonymous.statusCode).toBe(401);
      const reader = await call(routeKey, { claims: { sub: 'u', scope: 'documents/read' }, body: {} });
      expect(reader.statusCode).toBe(403);
      expect(bodyOf(reader)).toMatchObject({ error: { code: 'FORBIDDEN', requestId: 'gateway-request-id' } });
    }
  });

  it('lists deliveries with filters, never cached', async () => {
    const { call } = consoleApi();
    const answer = await call('GET /console/api/deliveries', { query: { status: 'failed', limit: '10' } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(bodyOf(answer)).toEqual({
      items: [expect.objectContaining({ receipt: 'r-2', status: 'failed' })],
    });
  });

  it('answers 400 naming each bad query field', async () => {
    const { call } = consoleApi();
    const answer = await call('GET /console/api/deliveries', {
      query: { status: 'lost', limit: '101', since: 'yesterday' },
    });
    expect(answer.statusCode).toBe(400);
    const fields = (bodyOf(answer) as { error: { fields: { field: string }[] } }).error.fields.map(
      (f) => f.field,
    );
    expect(fields.sort()).toEqual(['query.limit', 'query.since', 'query.status']);
  });

  it('shows one delivery with its payload, and 404 for an unknown receipt', async () => {
    const { call } = consoleApi();
    const answer = await call('GET /console/api/deliveries/{receipt}', { path: { receipt: 'r-1' } });
    expect(bodyOf(answer)).toMatchObject({
      delivery: { receipt: 'r-1' },
      payload: { text: '{\n  "a": 1\n}' },
    });
    const unknown = await call('GET /console/api/deliveries/{receipt}', { path: { receipt: 'nope' } });
    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown)).toMatchObject({ error: { code: 'DELIVERY_NOT_FOUND' } });
  });

  it('replays one delivery and a filtered set, answering 202 with the run', async () => {
    const { call, replayed } = consoleApi();
    const one = await call('POST /console/api/deliveries/{receipt}/replay', { path: { receipt: 'r-1' } });
    expect(one.statusCode).toBe(202);
    expect(bodyOf(one)).toEqual({ replayId: 'replay-1', matched: 1, enqueued: 1 });
    const set = await call('POST /console/api/replays', {
      body: { source: 'github', since: '2026-12-06T00:00:00Z' },
    });
    expect(set.statusCode).toBe(202);
    expect(bodyOf(set)).toEqual({ replayId: 'replay-1', matched: 2, enqueued: 1 });
    expect(replayed).toEqual([[archiveKey], [archiveKey]]);
  });

  it('answers 404 for a queue it does not manage', async () => {
    const { call } = consoleApi();
    const answer = await call('GET /console/api/queues/{name}/dead-letters', { path: { name: 'other' } });
    expect(answer.statusCode).toBe(404);
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'QUEUE_NOT_FOUND' } });
  });

  it('lists documents, health, activity and cost', async () => {
    const { call } = consoleApi();
    expect(bodyOf(await call('GET /console/api/documents'))).toEqual({ items: [] });
    expect(bodyOf(await call('GET /console/api/health'))).toEqual({
      status: 'ok',
      checks: { s3: { status: 'ok', latencyMs: 3 } },
    });
    const activity = bodyOf(await call('GET /console/api/activity', { query: { minutes: '2' } }));
    expect(activity).toEqual({
      minutes: [
        { minute: '2026-12-06T09:59:00.000Z', deliveries: 4, failures: 1 },
        { minute: '2026-12-06T10:00:00.000Z', deliveries: 0, failures: 0 },
      ],
    });
    expect((await call('GET /console/api/activity', { query: { minutes: '1441' } })).statusCode).toBe(400);
    expect(bodyOf(await call('GET /console/api/cost'))).toEqual({
      traffic: { webhooks: 4, documents: 0, documentMb: 0 },
      estimate: { totalUsd: 0.5, traffic: { webhooks: 4, documents: 0, documentMb: 0 } },
    });
  });

  it('pauses as the token subject and resumes', async () => {
    const { call } = consoleApi();
    const paused = await call('PUT /console/api/controls/pause', {
      body: { source: 'github', reason: 'incident' },
    });
    expect(paused.statusCode).toBe(200);
    expect(bodyOf(paused)).toMatchObject({
      pauses: [{ source: 'github', pausedBy: 'operator', reason: 'incident' }],
    });
    expect(bodyOf(await call('GET /console/api/controls'))).toMatchObject({ pauses: [{ source: 'github' }] });
    const resumed = await call('PUT /console/api/controls/resume', { body: { source: 'github' } });
    expect(bodyOf(resumed)).toEqual({
      pauses: [],
      targets: [{ name: 'webhook-sample-downstream', maxConcurrency: null }],
    });
    const anonymous = await call('PUT /console/api/controls/pause', {
      body: { source: 'stripe' },
      claims: { scope: 'intake/admin' },
    });
    expect(bodyOf(anonymous)).toMatchObject({ pauses: [{ source: 'stripe', pausedBy: 'unknown' }] });
    const bad = await call('PUT /console/api/controls/pause', { body: { source: 'Not A Source' } });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 404 ROUTE_NOT_FOUND for a route it does not serve', async () => {
    const { call } = consoleApi();
    const answer = await call('GET /console/api/nothing');
    expect(answer.statusCode).toBe(404);
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
