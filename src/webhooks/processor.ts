import type { Context, SQSRecord } from 'aws-lambda';
import { ConfigError, isRetryable } from '../errors';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { webhookArchive } from './archive';
import { downstreamPayload } from './downstream-event';
import type { SqsRequeue } from '../aws/sqs-requeue';
import type { CurrentPauses } from './controls/cached-pauses';
import type { PauseSet } from './controls/pause-scope';
import { maxPausedWaitSeconds, PausedTooLongError } from './controls/paused-too-long';
import type { TargetOutcome } from './history/delivery-history';
import type { DeliveryGuards, DeliveryOutcome, PausedSourceOutcome } from './idempotency';
import type { DispatchToFunction } from './lambda-dispatcher';
import { parseWebhookMessage } from './message';
import { archiveKey } from './object-keys';
import { routeTargets, type WebhookRoute } from './routes';
import type { TextObjectStore } from './s3-text';

export interface WebhookProcessorDependencies {
  readonly bucket: string;
  readonly storage: TextObjectStore;
  readonly routes: readonly WebhookRoute[];
  readonly dispatch: DispatchToFunction;
  readonly guards: DeliveryGuards;
  /** The operators' pauses (src/webhooks/controls); absent: nothing is ever paused. */
  readonly pauses?: CurrentPauses;
  /** Puts a delivery that waits for a paused source or target back on the queue, delayed. */
  readonly requeue?: SqsRequeue;
  readonly now?: () => Date;
  /** Told what an attempt that got as far as its side effects left behind (for the delivery history). */
  readonly onAttempt?: (record: SQSRecord, report: AttemptReport) => void;
}

/**
 * Each routed target's state after an attempt, the archive key once archived, whether nothing was redone, and
 * whether the delivery was put back on the queue to wait for a paused source or target.
 */
export interface AttemptReport {
  readonly targets: Readonly<Record<string, TargetOutcome>>;
  readonly archiveKey?: string;
  readonly duplicate: boolean;
  readonly paused: boolean;
}

const nothingPaused: PauseSet = { sourcePaused: () => false, targetPaused: () => false };

/** A side effect of processing a delivery, named as its step (`archive`, `invoke:<function>`). */
interface SideEffect {
  readonly step: string;
  /** The routed function of an invoke step. */
  readonly target?: string;
  readonly run: () => Promise<void>;
}

const invokeStep = (target: string) => `invoke:${target}`;

/**
 * The record handler of `webhook-process`: parse the queued delivery (a malformed one is poison: it throws
 * and, after maxReceiveCount, sits in the DLQ), then archive it to
 * `events/<source>/<yyyy>/<mm>/<dd>/<id>.json` and async-invoke every routed function, once per
 * (source, delivery id). The first attempt runs all of them under one idempotency record (two DynamoDB
 * round trips, not two per side effect) and records which failed and the event type it was routed by; a
 * retry or a duplicate redoes only those, each as its own once-step, routed by that first type (a copy
 * resent under another, unsigned, type changes nothing), so nothing is archived or invoked twice.
 * Throwing fails only this record (partial batch failure); when several steps failed, a retryable failure
 * is thrown before a non-retryable one, so a step that a retry can fix is retried rather than dead-lettered.
 * Pauses (read through `deps.pauses`): a delivery of a paused source is put back on the queue untouched; an
 * invoke of a paused target is left pending like a failed one, the rest is done, and the delivery is put
 * back on the queue (`deps.requeue`, delayed) so that the pending invoke runs once the target is resumed.
 * Nothing waiting is retried, counted as a receive, or dead-lettered.
 */
export function createWebhookProcessor(deps: WebhookProcessorDependencies) {
  const now = deps.now ?? (() => new Date());
  return async (record: SQSRecord, context: Context): Promise<DeliveryOutcome | PausedSourceOutcome> => {
    deps.guards.registerContext(context);
    const { meta, body: inlineBody } = parseWebhookMessage(record.body);
    const paused = deps.pauses === undefined ? nothingPaused : await deps.pauses();
    if (paused.sourcePaused(meta.source)) {
      await requeue(record);
      deps.onAttempt?.(record, {
        targets: Object.fromEntries(
          routeTargets(deps.routes, meta.source, meta.type).map((target) => [target, 'paused']),
        ),
        duplicate: false,
        paused: true,
      });
      metrics.addMetric('WebhookPaused', MetricUnit.Count, 1);
      return { pausedSource: meta.source };
    }
    const isPaused = ({ target }: SideEffect) =>
      target !== undefined && paused.targetPaused(meta.source, target);
    const delivery = {
      source: meta.source,
      id: meta.id,
      ...(meta.replay === undefined ? {} : { replay: meta.replay }),
    };
    let body: Promise<string> | undefined;
    // Read a claimed body only if some step still needs it (not for a duplicate).
    const bodyText = () =>
      (body ??= meta.claim === undefined ? Promise.resolve(inlineBody) : deps.storage.get(meta.claim.key));
    // Built once per (archive key, type), shared by every invoke of this delivery.
    const payloads = new Map<string, Promise<{ text: string; bodyOmitted: boolean }>>();
    const payloadFor = (key: string, type: string) => {
      let payload = payloads.get(`${key}\n${type}`);
      if (payload === undefined) {
        payload = bodyText().then((text) =>
          downstreamPayload({ ...meta, type }, text, { bucket: deps.bucket, key }),
        );
        payloads.set(`${key}\n${type}`, payload);
      }
      return payload;
    };
    /** The side effects of this delivery routed by `type`; a duplicate's archive key is the first copy's. */
    const sideEffects = (key: string, type: string): SideEffect[] => [
      // A replay comes from the archive: it is there already.
      ...(meta.replay === undefined
        ? [
            {
              step: 'archive',
              run: async () =>
                deps.storage.put(
                  key,
                  JSON.stringify(webhookArchive({ ...meta, type }, await bodyText(), now())),
                  'application/json',
                ),
            },
          ]
        : []),
      ...routeTargets(deps.routes, meta.source, type).map((target) => ({
        step: invokeStep(target),
        target,
        run: async () => deps.dispatch(target, (await payloadFor(key, type)).text),
      })),
    ];
    const trace = {
      source: meta.source,
      deliveryId: meta.id,
      ...(meta.providerId === undefined ? {} : { providerId: meta.providerId }),
    };
    const report = (
      type: string,
      key: string,
      notDone: readonly string[],
      duplicate = false,
      waitingSteps: readonly string[] = [],
    ) =>
      deps.onAttempt?.(record, {
        targets: Object.fromEntries(
          routeTargets(deps.routes, meta.source, type).map((target): [string, TargetOutcome] => [
            target,
            waitingSteps.includes(invokeStep(target))
              ? 'paused'
              : notDone.includes(invokeStep(target))
                ? 'failed'
                : 'invoked',
          ]),
        ),
        ...(notDone.includes('archive') ? {} : { archiveKey: key }),
        duplicate,
        paused: waitingSteps.length > 0,
      });
    const stepsOf = (list: readonly { step: string }[]) => list.map(({ step }) => step);
    let failures: { step: string; error: unknown }[] = [];
    let waiting: SideEffect[] = [];
    let worked = false;
    const key = archiveKey(meta.source, meta.id, meta.receivedAt);
    const first = await deps.guards.deliveryOnce(delivery, async () => {
      worked = true;
      const effects = sideEffects(key, meta.type);
      if (effects.every(({ step }) => step === 'archive')) {
        metrics.addMetric('WebhookUnrouted', MetricUnit.Count, 1);
        logger.warn('No route matches this webhook: archived only', { ...trace, eventType: meta.type });
      }
      waiting = effects.filter(isPaused);
      const runnable = effects.filter((effect) => !waiting.includes(effect));
      failures = await runFirstAttempt(runnable, await bodyNeedsArchive(key, runnable));
      // Nothing done: no record, so the retry starts afresh (a missing claimed body ends in the DLQ).
      if (failures.length > 0 && failures.length === runnable.length) {
        report(meta.type, key, stepsOf(failures));
        throw decidingFailure(failures);
      }
      return { done: true, key, type: meta.type, pending: stepsOf([...failures, ...waiting]) };
    });
    // The first accepted copy's type wins: a resend under another (unsigned) type is not routed by it.
    const routedType = first.type ?? meta.type;
    if (!worked && first.pending.length > 0) {
      // A retry after a partial failure or a pause (or a duplicate of such a delivery): redo only what is
      // pending and no longer paused.
      const pendingEffects = sideEffects(first.key, routedType).filter(({ step }) =>
        first.pending.includes(step),
      );
      waiting = pendingEffects.filter(isPaused);
      const pending = pendingEffects.filter((effect) => !waiting.includes(effect));
      failures = await runPendingSteps(pending, (step, run) =>
        deps.guards.stepOnce({ ...delivery, step }, async () => {
          worked = true;
          await run();
          return { done: true };
        }),
      );
      // A failed archive leaves every pending invoke untried.
      if (failures.length > 0)
        report(
          routedType,
          first.key,
          stepsOf(failures).includes('archive') ? first.pending : stepsOf(failures),
        );
    } else if (failures.length > 0) report(meta.type, key, stepsOf(failures));
    if (failures.length > 0) {
      const failedInvokes = failures.filter(({ step }) => step !== 'archive');
      if (failedInvokes.length > 0)
        metrics.addMetric('WebhookDispatchFailed', MetricUnit.Count, failedInvokes.length);
      for (const { step, error } of failures)
        logger.warn(step === 'archive' ? 'Archiving failed' : 'Downstream invoke failed', {
          step,
          ...trace,
          error: error as Error,
        });
      throw decidingFailure(failures);
    }
    const targets = routeTargets(deps.routes, meta.source, routedType);
    report(routedType, first.key, [], !worked && waiting.length === 0, stepsOf(waiting));
    if (waiting.length > 0) {
      // Done but for paused targets: back on the queue, to wait for them. (A failed requeue is retried.)
      await requeue(record);
      metrics.addMetric('WebhookPaused', MetricUnit.Count, 1);
      const paused = waiting.map(({ target }) => target!);
      logger.info('Webhook waits for paused targets: put back on the queue', { ...trace, paused });
      return { archiveKey: first.key, targets, paused };
    }
    if (worked) metrics.addMetric('WebhookProcessed', MetricUnit.Count, 1);
    else {
      metrics.addMetric('WebhookDuplicate', MetricUnit.Count, 1);
      logger.info('Duplicate webhook delivery skipped', {
        ...trace,
        eventType: meta.type,
        ...(routedType === meta.type ? {} : { routedType }),
      });
    }
    return { archiveKey: first.key, targets };

    async function requeue(waitingRecord: SQSRecord): Promise<void> {
      // Past the longest wait, to the DLQ (not retryable) before its deduplication record or claim expires.
      const waitedSeconds = (now().getTime() - Date.parse(meta.receivedAt)) / 1000;
      if (waitedSeconds > maxPausedWaitSeconds) throw new PausedTooLongError(waitedSeconds);
      if (deps.requeue === undefined)
        throw new ConfigError('A webhook is paused but the worker has no queue to put it back on', [
          'WEBHOOKS_QUEUE_URL',
        ]);
      await deps.requeue(waitingRecord);
    }

    /** True when an invoke would carry no body (too large) and point to the archive: archive first then. */
    async function bodyNeedsArchive(key: string, effects: readonly SideEffect[]): Promise<boolean> {
      return (
        effects.some(({ step }) => step !== 'archive') &&
        meta.replay === undefined &&
        (await payloadFor(key, meta.type)).bodyOmitted
      );
    }
  };
}

/** The failure the SQS edge decides by: the first retryable one, else the first. */
function decidingFailure(failures: readonly { error: unknown }[]): unknown {
  return (failures.find(({ error }) => isRetryable(error)) ?? failures[0]!).error;
}

/**
 * Runs every side effect concurrently (the archive and the invokes are independent), except that invokes
 * wait for the archive when they point to it; an invoke whose archive failed is not tried. Returns the
 * failures.
 */
async function runFirstAttempt(
  effects: readonly SideEffect[],
  invokesNeedArchive: boolean,
): Promise<{ step: string; error: unknown }[]> {
  const archive = effects.find(({ step }) => step === 'archive');
  const archived = archive?.run().then(
    () => undefined,
    (error: unknown) => ({ step: archive.step, error }),
  );
  const invokes = effects
    .filter((effect) => effect !== archive)
    .map(async (effect) => {
      if (invokesNeedArchive && (await archived) !== undefined)
        return { step: effect.step, error: new Error('not invoked: the archive it points to failed') };
      try {
        await effect.run();
        return undefined;
      } catch (error) {
        return { step: effect.step, error };
      }
    });
  const outcomes = await Promise.all([archived, ...invokes]);
  return outcomes.filter((outcome) => outcome !== undefined);
}

/** Redoes pending side effects, each once: the archive first (invokes may point to it), then the invokes. */
async function runPendingSteps(
  effects: readonly SideEffect[],
  once: (step: string, run: () => Promise<void>) => Promise<unknown>,
): Promise<{ step: string; error: unknown }[]> {
  const failures: { step: string; error: unknown }[] = [];
  const attempt = async ({ step, run }: SideEffect) => {
    try {
      await once(step, run);
    } catch (error) {
      failures.push({ step, error });
    }
  };
  const archive = effects.find(({ step }) => step === 'archive');
  if (archive) await attempt(archive);
  if (failures.length === 0) await Promise.all(effects.filter((effect) => effect !== archive).map(attempt));
  return failures;
}
