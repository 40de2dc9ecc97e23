/*
 * A FAKE console API for the page's browser tests: it answers `/console/api/*` with fixed answers of the
 * contract (src/console/api-types.ts) and records every request. The real API is functions/console-api.ts;
 * the e2e scenario (test/e2e/console.test.ts) drives the page against it.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type {
  ActivityAnswer,
  ControlsAnswer,
  CostAnswer,
  DeadLettersAnswer,
  DeliveriesAnswer,
  DeliveryAnswer,
  DocumentsAnswer,
  HealthAnswer,
  QueuesAnswer,
} from '../../src/console/api-types';
import type { HttpHandler } from '../../src/middleware/http';
import type { HttpResult } from '../../src/middleware/http-types';
import type { DeliveryRecord } from '../../src/webhooks/history/delivery-history';
import { serveHttpHandler } from './http-server';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

/** A payload that would run script if the page ever parsed data as HTML. */
export const HOSTILE_TEXT = "<img src=x onerror=document.title='pwned'>";

const minute = (index: number) => new Date(Date.UTC(2026, 11, 6, 9, index)).toISOString();

function delivery(index: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    receipt: `receipt-${index}`,
    source: 'github',
    type: 'push',
    id: `delivery-${index}`,
    receivedAt: minute(index),
    status: 'processed',
    attempts: [{ at: minute(index), durationMs: 12, outcome: 'processed', receiveCount: 1 }],
    targets: { 'webhook-sample-downstream': 'invoked' },
    archiveKey: `events/github/2026/12/06/delivery-${index}.json`,
    updatedAt: minute(index),
    ...overrides,
  };
}

/** The fixed answers; tests may replace any of them. */
export function consoleFixtures() {
  const failed = delivery(2, {
    id: HOSTILE_TEXT,
    type: HOSTILE_TEXT,
    status: 'failed',
    attempts: [
      { at: minute(2), durationMs: 40, outcome: 'failed', errorCode: 'DOWNSTREAM_FAILED', receiveCount: 1 },
      { at: minute(3), durationMs: 35, outcome: 'failed', errorCode: 'DOWNSTREAM_FAILED', receiveCount: 2 },
    ],
    targets: { 'webhook-sample-downstream': 'failed' },
  });
  return {
    deliveries: { items: [delivery(3), failed, delivery(1)], cursor: 'page-2' } as DeliveriesAnswer,
    olderDeliveries: { items: [delivery(0, { status: 'dead-lettered' })] } as DeliveriesAnswer,
    delivery: {
      delivery: failed,
      payload: {
        contentType: 'application/json',
        text: JSON.stringify({ comment: HOSTILE_TEXT, ref: 'refs/heads/main' }, null, 2),
        encoding: 'utf8',
        truncated: false,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      },
    } as DeliveryAnswer,
    activity: {
      minutes: Array.from({ length: 12 }, (_, index) => ({
        minute: minute(index),
        deliveries: index % 4,
        failures: index === 2 ? 1 : 0,
      })),
    } as ActivityAnswer,
    queues: {
      queues: [
        { name: 'webhooks', visible: 3, inFlight: 1, deadLetters: 2 },
        { name: 'documents', visible: 0, inFlight: 0, deadLetters: 0 },
      ],
    } as QueuesAnswer,
    deadLetters: {
      queue: 'webhooks',
      messages: [
        {
          messageId: 'm-1',
          sentAt: minute(5),
          receiveCount: 5,
          failureCode: 'DOWNSTREAM_FAILED',
          summary: { source: 'github', type: 'push', id: 'delivery-9', receipt: 'receipt-9' },
          preview: '{"source":"github"}',
        },
        { messageId: 'm-2', receiveCount: 5, preview: `not json ${HOSTILE_TEXT}` },
      ],
    } as DeadLettersAnswer,
    documents: {
      items: [
        {
          id: 'doc-1',
          owner: 'alice',
          status: 'processed',
          filename: 'report.pdf',
          type: 'application/pdf',
          size: 2048,
          createdAt: minute(7),
          manifest: { sha256: 'ab'.repeat(32), pages: 3 },
        },
        {
          id: 'doc-2',
          owner: 'bob',
          status: 'quarantined',
          filename: 'eicar.com',
          createdAt: minute(8),
          quarantineReason: 'MALWARE_FOUND',
          manifest: { quarantine: 'MALWARE_FOUND' },
        },
      ],
    } as DocumentsAnswer,
    health: {
      status: 'error',
      checks: {
        s3: { status: 'ok', latencyMs: 4.2 },
        sqs: { status: 'ok', latencyMs: 7.9 },
        dynamodb: { status: 'error', latencyMs: 2000, reason: 'TIMEOUT' },
      },
    } as HealthAnswer,
    controls: {
      pauses: [{ source: 'stripe', pausedAt: minute(9), pausedBy: 'cli:ops', reason: 'provider incident' }],
      targets: [
        { name: 'webhook-sample-downstream', maxConcurrency: 5 },
        { name: 'billing', maxConcurrency: null },
      ],
    } as ControlsAnswer,
    cost: {
      traffic: { webhooks: 1200, documents: 30, documentMb: 1.5 },
      estimate: {
        pricesAsOf: '2026-12-01',
        region: 'us-east-1',
        lines: [
          {
            service: 'Lambda',
            item: 'webhook-receive requests',
            quantity: 1200,
            unit: 'request',
            unitPriceUsd: 2e-7,
            monthlyUsd: 0.00024,
          },
          {
            service: 'SQS',
            item: 'requests',
            quantity: 3600,
            unit: 'request',
            unitPriceUsd: 4e-7,
            monthlyUsd: 0.00144,
          },
        ],
        totalUsd: 0.00168,
      },
    } as CostAnswer,
  };
}

export type ConsoleFixtures = ReturnType<typeof consoleFixtures>;

const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export interface FakeConsoleApi {
  /** The page's URL (`…/console`). */
  readonly pageUrl: string;
  readonly requests: RecordedRequest[];
  readonly fixtures: ConsoleFixtures;
  /** Answer every API call with this status (401, 403, 500) instead of the fixtures; undefined: normal. */
  refuseWith: number | undefined;
  /** Requests of `method` whose path ends with `suffix`. */
  requestsTo(method: string, suffix: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Serves `GET /console` with the real `console` function's handler and `/console/api/*` with the fake, on
 * 127.0.0.1, the way API Gateway calls a function (test/helpers/http-server.ts).
 */
export async function serveConsoleWithFakeApi(consoleHandler: HttpHandler): Promise<FakeConsoleApi> {
  const requests: RecordedRequest[] = [];
  const fixtures = consoleFixtures();
  const state = { refuseWith: undefined as number | undefined };
  const answer = (method: string, path: string, query: Record<string, string>): HttpResult => {
    if (state.refuseWith === 401) return json(401, { message: 'Unauthorized' });
    if (state.refuseWith === 403) return json(403, { message: 'Forbidden' });
    if (state.refuseWith !== undefined)
      return json(state.refuseWith, {
        error: { code: 'INTERNAL', message: 'the history table is unreachable', requestId: 'req-42' },
      });
    const route = `${method} ${path}`;
    if (route === 'GET deliveries')
      return json(200, query.cursor === 'page-2' ? fixtures.olderDeliveries : fixtures.deliveries);
    if (method === 'GET' && path.startsWith('deliveries/')) return json(200, fixtures.delivery);
    if (method === 'POST' && /^deliveries\/[^/]+\/replay$/.test(path))
      return json(202, { replayId: 'replay-1', matched: 1, enqueued: 1 });
    if (route === 'POST replays')
      return json(202, {
        replayId: 'replay-2',
        matched: 5,
        enqueued: 3,
        notReplayed: { archiveGone: 1, tooLarge: 1 },
      });
    // An `{ error }` fixture is answered as the API's 400 (a span with too many deliveries to count).
    if (route === 'GET activity') return json('error' in fixtures.activity ? 400 : 200, fixtures.activity);
    if (route === 'GET queues') return json(200, fixtures.queues);
    if (method === 'GET' && /^queues\/[^/]+\/dead-letters$/.test(path))
      return json(200, fixtures.deadLetters);
    if (method === 'POST' && /^queues\/[^/]+\/redrive$/.test(path)) return json(200, { moved: 1, failed: 0 });
    if (route === 'GET documents') return json(200, fixtures.documents);
    if (route === 'GET health') return json(200, fixtures.health);
    if (route === 'GET controls') return json(200, fixtures.controls);
    if (route === 'PUT controls/pause' || route === 'PUT controls/resume') return json(200, {});
    if (route === 'GET cost') return json(200, fixtures.cost);
    return json(404, { error: { code: 'ROUTE_NOT_FOUND', message: `no fake for ${route}` } });
  };
  const handler: HttpHandler = async (event: APIGatewayProxyEventV2, context: Context) => {
    if (event.rawPath === '/console') return consoleHandler(event, context);
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/^\/console\/api\//, '');
    const query = Object.fromEntries(new URLSearchParams(event.rawQueryString));
    const body = event.body ? (JSON.parse(event.body) as unknown) : undefined;
    requests.push({
      method,
      path: decodeURIComponent(path),
      query,
      authorization: event.headers.authorization,
      body,
    });
    return answer(method, path, query);
  };
  const served = await serveHttpHandler(handler);
  return {
    pageUrl: `${served.url}/console`,
    requests,
    fixtures,
    get refuseWith() {
      return state.refuseWith;
    },
    set refuseWith(status) {
      state.refuseWith = status;
    },
    requestsTo: (method, suffix) =>
      requests.filter((request) => request.method === method && request.path.endsWith(suffix)),
    close: served.close,
  };
}
