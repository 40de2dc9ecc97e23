/**
 * The JSON the console's API answers (`/console/api/*`, admin scope): shared by the API (functions/console-api.ts)
 * and the page (src/console/page/), so that neither can drift from the other.
 */
import type { CheckResult } from '../health/check';
import type { DeliveryRecord, MinuteCount } from '../webhooks/history/delivery-history';
import type { Pause } from '../webhooks/controls/webhook-controls';

/** GET /console/api/deliveries?source&type&status&since&until&limit&cursor */
export interface DeliveriesAnswer {
  readonly items: readonly DeliveryRecord[];
  readonly cursor?: string;
}

/** GET /console/api/deliveries/{receipt}: the record and its archived payload (never a secret). */
export interface DeliveryAnswer {
  readonly delivery: DeliveryRecord;
  readonly payload?: {
    readonly contentType?: string;
    /** The archived body, pretty-printed when it is JSON, cut at `truncated` bytes. */
    readonly text: string;
    readonly encoding: 'utf8' | 'base64';
    readonly truncated: boolean;
    /** The kept headers (the archive never holds signatures, secrets, cookies or credentials). */
    readonly headers: Readonly<Record<string, string>>;
  };
  /** Why there is no payload (not archived yet, archive gone...). */
  readonly payloadMissing?: string;
}

/** POST /console/api/deliveries/{receipt}/replay and POST /console/api/replays (body: the filter). */
export interface ReplayAnswer {
  readonly replayId: string;
  readonly matched: number;
  readonly enqueued: number;
  /**
   * Matched deliveries not replayed, when there are any (besides those not archived yet): archives gone, and
   * copies too large for one queue message (`npm run replay` sends those, as claim checks).
   */
  readonly notReplayed?: { readonly archiveGone: number; readonly tooLarge: number };
}

/** GET /console/api/queues: each queue with its DLQ. */
export interface QueuesAnswer {
  readonly queues: readonly {
    readonly name: string;
    readonly visible: number;
    readonly inFlight: number;
    readonly deadLetters: number;
  }[];
}

/** GET /console/api/queues/{name}/dead-letters: a peek at the DLQ (messages stay there). */
export interface DeadLettersAnswer {
  readonly queue: string;
  readonly messages: readonly {
    readonly messageId: string;
    readonly sentAt?: string;
    readonly receiveCount?: number;
    readonly failureCode?: string;
    /** What the message is about, when it is a webhook delivery (source, type, id, receipt). */
    readonly summary?: Readonly<Record<string, string>>;
    /** The start of the body (at most 2 KiB), for a poison message that is not a delivery. */
    readonly preview: string;
  }[];
}

/** POST /console/api/queues/{name}/redrive, body `{"messageId": "…"}` for one message or `{}` for all. */
export interface RedriveAnswer {
  readonly moved: number;
  readonly failed: number;
}

/** GET /console/api/documents?owner&status&cursor: manifests, every owner's. */
export interface DocumentsAnswer {
  readonly items: readonly {
    readonly id: string;
    readonly owner: string;
    readonly status: string;
    readonly filename?: string;
    readonly type?: string;
    readonly size?: number;
    readonly createdAt?: string;
    readonly quarantineReason?: string;
    readonly manifest: unknown;
  }[];
  readonly cursor?: string;
}

/** GET /console/api/health: every integration with its latency. */
export interface HealthAnswer {
  readonly status: 'ok' | 'error';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** GET /console/api/activity?minutes=60: deliveries and failures per minute, oldest first. */
export interface ActivityAnswer {
  readonly minutes: readonly MinuteCount[];
}

/** GET /console/api/controls; PUT /console/api/controls/pause and /resume, body a PauseScope (+ reason). */
export interface ControlsAnswer {
  readonly pauses: readonly Pause[];
  /** Routed targets with their concurrency cap (null: uncapped). */
  readonly targets: readonly { readonly name: string; readonly maxConcurrency: number | null }[];
}

/** GET /console/api/cost: the monthly estimate for the traffic the history has seen (last 30 days). */
export interface CostAnswer {
  readonly traffic: { readonly webhooks: number; readonly documents: number; readonly documentMb: number };
  readonly estimate: unknown;
}

/** Every error: the shape the HTTP stacks already answer with. */
export interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string; readonly requestId?: string };
}
