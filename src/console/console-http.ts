import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { requireVerifiedScope, verifiedClaimsOf, type AuthorizedEvent } from '../auth/caller';
import { SCOPES } from '../auth/scopes';
import type { ObjectStorage } from '../aws/storage/object-storage';
import { RouteNotFoundError } from '../errors';
import { httpHandler, type HttpHandler, type HttpHandlerOptions } from '../middleware/http';
import type { HttpResult } from '../middleware/http-types';
import type { WebhookControls } from '../webhooks/controls/webhook-controls';
import { deliveryStatuses, type DeliveryHistory } from '../webhooks/history/delivery-history';
import type { ReplayArchivesResult } from '../webhooks/ops/replay-archives';
import type { HealthAnswer } from './api-types';
import { activityView, MAX_ACTIVITY_MINUTES } from './api/activity';
import { controlsView, pauseScope, resumeScope, type RoutedTarget } from './api/controls';
import { costView, type Traffic } from './api/cost';
import { deliveryDetail, listDeliveries } from './api/deliveries';
import { listDocumentManifests } from './api/documents';
import {
  MAX_PEEK_MESSAGES,
  peekDeadLetters,
  queueDepths,
  queueNamed,
  redriveQueue,
  type ConsoleQueue,
} from './api/queues';
import { replayDelivery, replayMatching } from './api/replays';

export interface ConsoleApiDependencies {
  readonly history: DeliveryHistory;
  readonly controls: WebhookControls;
  /** The documents bucket: archives (events/) and manifests (manifests/). */
  readonly storage: Pick<ObjectStorage, 'list' | 'listAll' | 'getBytes'>;
  readonly sqs: SQSClient;
  readonly queues: readonly ConsoleQueue[];
  readonly replay: (keys: readonly string[], replayId: string) => Promise<ReplayArchivesResult>;
  readonly newReplayId: () => string;
  /** The integrations report (checkIntegrations with the health function's settings, cached). */
  readonly health: () => Promise<HealthAnswer>;
  readonly targets: readonly RoutedTarget[];
  readonly estimate: (traffic: Traffic) => unknown;
  readonly now?: () => Date;
}

const name = z.string().check(z.regex(/^[a-z0-9-]{1,64}$/));
const isoTime = z.pipe(
  z.string().check(
    z.refine((text) => !Number.isNaN(Date.parse(text)), { message: 'Expected an ISO-8601 date or time' }),
    // The history is indexed by YYYY-MM-DD days: a year of 5 or 6 digits, or before year 0, has none.
    z.refine((text) => /^\d{4}-/.test(new Date(Date.parse(text) || 0).toISOString()), {
      message: 'Expected a time between the years 0000 and 9999',
    }),
  ),
  z.transform((text) => new Date(text)),
);
const limit = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)), fallback);
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));
const deliveryFilter = {
  source: z.optional(name),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  status: z.optional(z.enum(deliveryStatuses)),
  since: z.optional(isoTime),
  until: z.optional(isoTime),
};
const receiptPath = z.object({ receipt: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/)) });
const queuePath = z.object({ name });
const pauseBody = z.object({
  source: z.string().check(z.regex(/^(\*|[a-z0-9-]{1,64})$/)),
  target: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-_]{1,64}$/))),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

const noStore = { 'cache-control': 'no-store' };

/**
 * The console's API (`/console/api/*`, every route the admin scope: checked by the authorizer and again
 * here), answering the shapes of src/console/api-types.ts. Each route's AWS calls are bounded (see each
 * view, and docs/console.md (its API section)); a bad query or body answers 400 with the fields, an unknown route 404,
 * every error the house's `{"error":{code,message,requestId}}`.
 */
export function createConsoleHttpHandler(deps: ConsoleApiDependencies): HttpHandler {
  const now = deps.now ?? (() => new Date());
  const admin = (event: AuthorizedEvent) => requireVerifiedScope(event, SCOPES.admin);
  const json = (statusCode: number, body: unknown): HttpResult => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...noStore },
    body: JSON.stringify(body),
  });
  const route = <
    B extends z.core.$ZodType | undefined = undefined,
    P extends z.core.$ZodType | undefined = undefined,
    Q extends z.core.$ZodType | undefined = undefined,
  >(
    fn: Parameters<typeof httpHandler<B, P, Q>>[0],
    options: Omit<HttpHandlerOptions<B, P, Q>, 'authorize'> = {},
  ) => httpHandler<B, P, Q>(fn, { ...options, authorize: admin });
  const replays = { history: deps.history, replay: deps.replay, newReplayId: deps.newReplayId };
  const controls = { controls: deps.controls, targets: deps.targets };

  const routes: Record<string, HttpHandler> = {
    'GET /console/api/deliveries': route(
      async (event) => json(200, await listDeliveries(deps.history, event.queryStringParameters)),
      { querySchema: z.object({ ...deliveryFilter, limit: limit(100, 50), cursor }) },
    ),
    'GET /console/api/deliveries/{receipt}': route(
      async (event) =>
        json(
          200,
          await deliveryDetail(
            { history: deps.history, archive: deps.storage },
            event.pathParameters.receipt,
          ),
        ),
      { pathSchema: receiptPath },
    ),
    'POST /console/api/deliveries/{receipt}/replay': route(
      async (event) => json(202, await replayDelivery(replays, event.pathParameters.receipt)),
      { pathSchema: receiptPath },
    ),
    'POST /console/api/replays': route(
      async (event) => json(202, await replayMatching(replays, event.body)),
      {
        bodySchema: z.object(deliveryFilter),
      },
    ),
    'GET /console/api/queues': route(async () => json(200, await queueDepths(deps.sqs, deps.queues))),
    'GET /console/api/queues/{name}/dead-letters': route(
      async (event) =>
        json(
          200,
          await peekDeadLetters(
            deps.sqs,
            queueNamed(deps.queues, event.pathParameters.name),
            event.queryStringParameters.limit,
          ),
        ),
      { pathSchema: queuePath, querySchema: z.object({ limit: limit(MAX_PEEK_MESSAGES, 10) }) },
    ),
    'POST /console/api/queues/{name}/redrive': route(
      async (event) =>
        json(
          200,
          await redriveQueue(
            deps.sqs,
            queueNamed(deps.queues, event.pathParameters.name),
            event.body.messageId,
          ),
        ),
      {
        pathSchema: queuePath,
        bodySchema: z.object({ messageId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))) }),
      },
    ),
    'GET /console/api/documents': route(
      async (event) => json(200, await listDocumentManifests(deps.storage, event.queryStringParameters)),
      {
        querySchema: z.object({
          owner: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
          status: z.optional(z.enum(['processed', 'quarantined', 'scanning', 'infected', 'unreadable'])),
          limit: limit(100, 20),
          cursor,
        }),
      },
    ),
    'GET /console/api/health': route(async () => json(200, await deps.health())),
    'GET /console/api/activity': route(
      async (event) =>
        json(200, await activityView(deps.history, event.queryStringParameters.minutes, now())),
      { querySchema: z.object({ minutes: limit(MAX_ACTIVITY_MINUTES, 60) }) },
    ),
    'GET /console/api/controls': route(async () => json(200, await controlsView(controls))),
    'PUT /console/api/controls/pause': route(
      async (event) => json(200, await pauseScope(controls, event.body, subjectOf(event))),
      { bodySchema: pauseBody },
    ),
    'PUT /console/api/controls/resume': route(
      async (event) => json(200, await resumeScope(controls, event.body)),
      {
        bodySchema: pauseBody,
      },
    ),
    'GET /console/api/cost': route(async () => json(200, await costView(deps, now()))),
  };
  const notFound = httpHandler(async () => {
    throw new RouteNotFoundError();
  });
  return (event, context) => (routes[event.routeKey] ?? notFound)(event, context);
}

/** Who pauses: the verified token's subject (the admin scope is already checked). */
function subjectOf(event: AuthorizedEvent): string {
  const subject = verifiedClaimsOf(event)?.sub;
  return typeof subject === 'string' && subject.length > 0 ? subject : 'unknown';
}
