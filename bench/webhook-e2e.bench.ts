/**
 * End-to-end webhook figures on the real `npm start` stack (issue 4), loopback only:
 *   1. latency: signed POSTs at a steady 100 deliveries/s for 30 s; POST sent → the sample downstream's
 *      receipt (its INTAKE_WEBHOOK_DOWNSTREAM line, same clock): p50 ≤ 250 ms, p99 ≤ 1 s;
 *   2. drain: a backlog of 10,000 deliveries put straight on the webhooks queue, drained by webhook-process
 *      (idempotency, archive, async invoke), against the no-op fixture consumer draining the same number of
 *      messages from its own queue on the same emulator in the same run: ratio ≥ 0.8;
 *   3. what bounds the drain: the emulators' own write rates in the same run (dynalite PutItem/s, s3rver
 *      PutObject/s through the stack's S3 endpoint, 10 at a time). Each delivery needs one object put and
 *      two DynamoDB writes (its idempotency record), so the worker cannot drain faster than
 *      min(s3 puts/s, DynamoDB writes/s ÷ 2), whatever its code does;
 *   4. what bounds the latency run: the same latency run at a steady STEADY_RATE (40/s), below what this
 *      machine carries, and the CPU one delivery costs there, per process of the stack (serverless-offline
 *      with its worker threads, each emulator) and in this bench (signing, HTTP, reading the stack's
 *      output). The machine cannot carry more than cores × 1000 ÷ that many ms deliveries per second
 *      (`cpu_bound_deliveries_per_second`); past it, the 100/s run queues up and its latency only says so.
 *
 * Before measuring, the stack is warmed at the same steady rate for 5 s: serverless-offline starts its
 * worker threads (up to INTAKE_FUNCTION_CONCURRENCY per function) on demand, and their cold starts are
 * not what a steady rate measures.
 *
 *   npx tsx bench/webhook-e2e.bench.ts [seconds = 30] [backlog = 10000]
 */
import '../test/helpers/quiet';
import { availableParallelism } from 'node:os';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { clientsOfStack } from '../test/helpers/emulators';
import { contentDeliveryId } from '../src/webhooks/delivery';
import { serialiseWebhookMessage } from '../src/webhooks/message';
import { FIXTURE_LINE_PREFIX, parseFixtureLine } from '../test/fixtures/functions/fixture-line';
import { postGithubPush } from '../test/helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../test/helpers/local-stack-process';
import { measureStackCpu } from './lib/process-cpu';
import { writeBenchResult } from './lib/results';
import { percentile, round2 } from './lib/stats';

const SECONDS = Math.max(5, Number(process.argv[2] ?? 30));
const BACKLOG = Math.max(100, Number(process.argv[3] ?? 10_000));
const RATE = 100;
const STEADY_RATE = 40;
const DOWNSTREAM_PREFIX = 'INTAKE_WEBHOOK_DOWNSTREAM ';
const secret = 'e2e bench secret';

/**
 * The stack's output lines added since the last call, from line `from` on. Polled every 200 ms over tens of
 * thousands of lines, re-reading them all would cost this process more CPU than it measures.
 */
function newLines(stack: LocalStackProcess, from: number): () => string[] {
  let next = from;
  return () => {
    const lines = stack.lines.slice(next);
    next += lines.length;
    return lines;
  };
}

/** Receipt time (ms) of each delivery id seen by the sample downstream function since line `from`. */
function receiptReader(stack: LocalStackProcess, from: number): () => Map<string, number> {
  const receipts = new Map<string, number>();
  const read = newLines(stack, from);
  return () => {
    for (const line of read()) {
      if (!line.startsWith(DOWNSTREAM_PREFIX)) continue;
      const { id, receivedAt } = JSON.parse(line.slice(DOWNSTREAM_PREFIX.length)) as {
        id: string;
        receivedAt: number;
      };
      if (!receipts.has(id)) receipts.set(id, receivedAt);
    }
    return receipts;
  };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  return predicate();
}

async function fillQueue(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const chunk = bodies.slice(next, next + 10);
      next += 10;
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
}

/** POSTs `total` signed deliveries at a steady `rate`; resolves with when each left and how many failed. */
async function postSteadily(stack: LocalStackProcess, rate: number, total: number, prefix: string) {
  const sentAt = new Map<string, number>();
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  let failures = 0;
  for (let index = 0; index < total; index++) {
    // A steady schedule: request i leaves at started + i / rate, whatever the previous ones are doing.
    const wait = started + (index * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const providerId = `${prefix}-${started}-${index}`;
    // intake deduplicates GitHub deliveries by body (X-GitHub-Delivery is not signed): each one differs.
    const body = JSON.stringify({ index, after: providerId, ref: 'refs/heads/main' });
    sentAt.set(contentDeliveryId('github', body), Date.now());
    inFlight.push(
      postGithubPush(stack.state.http.url, secret, providerId, body).then(
        (response) => {
          if (response.status !== 202) failures++;
          return response.arrayBuffer().then(() => undefined);
        },
        () => {
          failures++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { sentAt, failures };
}

/** Warms the stack at the measured rate for 5 s and waits until the downstream has seen it all. */
async function warmUp(stack: LocalStackProcess, rate: number): Promise<void> {
  const receipts = receiptReader(stack, stack.lines.length);
  const { sentAt, failures } = await postSteadily(stack, rate, rate * 5, 'warm');
  await until(() => receipts().size >= sentAt.size - failures, 180_000);
}

async function measureLatency(stack: LocalStackProcess, rate: number) {
  const readReceipts = receiptReader(stack, stack.lines.length);
  const total = SECONDS * rate;
  const {
    result: { sentAt, failures },
    cpuSeconds: cpu,
  } = await measureStackCpu('bench', async () => {
    const posted = await postSteadily(stack, rate, total, `e2e-bench-${rate}`);
    // Generous: when the worker cannot keep up, the figure is how late deliveries arrive, not how many.
    await until(() => readReceipts().size >= total - posted.failures, 360_000);
    return posted;
  });
  const receipts = readReceipts();
  const latencies = [...sentAt].flatMap(([id, sent]) => (receipts.has(id) ? [receipts.get(id)! - sent] : []));
  const delivered = Math.max(latencies.length, 1);
  const cpuMsPerDelivery = Object.fromEntries(
    Object.entries(cpu).map(([name, seconds]) => [name, round2((seconds * 1000) / delivered)]),
  );
  return {
    sent: total,
    failures,
    delivered: latencies.length,
    p50: latencies.length > 0 ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length > 0 ? percentile(latencies, 99) : Number.NaN,
    cpuMsPerDelivery,
    cpuMsTotal: round2(Object.values(cpuMsPerDelivery).reduce((sum, ms) => sum + ms, 0)),
  };
}

async function measureDrain(stack: LocalStackProcess, sqs: SQSClient, which: 'webhooks' | 'noop') {
  const from = stack.lines.length;
  const stamp = Date.now();
  const queue = stack.state.resources.queues.find(
    (candidate) => candidate.logicalId === (which === 'webhooks' ? 'WebhooksQueue' : 'FixtureQueue'),
  )!;
  const bodies = Array.from({ length: BACKLOG }, (_, index) =>
    which === 'webhooks'
      ? serialiseWebhookMessage({
          meta: {
            v: 1,
            source: 'github',
            type: 'push',
            id: `drain-${stamp}-${index}`,
            receivedAt: new Date().toISOString(),
            encoding: 'utf8',
            headers: {},
          },
          body: `{"n":${index}}`,
        })
      : JSON.stringify({ n: index, stamp }),
  );
  await fillQueue(sqs, queue.url, bodies);
  const receipts = receiptReader(stack, from);
  const noopTimes: number[] = [];
  const readFixtureLines = newLines(stack, from);
  const times = (): number[] => {
    if (which === 'webhooks') return [...receipts().values()];
    for (const line of readFixtureLines()) {
      if (!line.startsWith(FIXTURE_LINE_PREFIX)) continue;
      const parsed = parseFixtureLine(line);
      if (
        parsed?.fn === 'sqs-consumer' &&
        typeof parsed.body === 'string' &&
        parsed.body.includes(`"stamp":${stamp}`)
      )
        noopTimes.push(parsed.receivedAt);
    }
    return noopTimes;
  };
  await until(() => (which === 'webhooks' ? receipts().size : times().length) >= BACKLOG, 20 * 60_000);
  const seen = times();
  if (seen.length === 0) return { drained: 0, perSecond: 0 };
  const seconds = (Math.max(...seen) - Math.min(...seen)) / 1000;
  return { drained: seen.length, perSecond: round2(seen.length / Math.max(seconds, 0.001)) };
}

/** Operations per second of `op`, run `count` times 10 at a time. */
async function opsPerSecond(count: number, op: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return round2(count / Math.max((Date.now() - started) / 1000, 0.001));
}

/** The emulators' write rates, measured the way the worker uses them (same endpoints, same table/bucket). */
async function emulatorCapacity(stack: LocalStackProcess) {
  const { resources } = stack.state;
  const clients = clientsOfStack(stack.state);
  const { dynamodb: dynamoDb, s3 } = clients;
  const table = resources.tables.find((candidate) => candidate.logicalId === 'IdempotencyTable')!.name;
  const bucket = resources.buckets.find((candidate) => candidate.logicalId === 'DocumentsBucket')!.name;
  const stamp = Date.now();
  const expiration = String(Math.floor(stamp / 1000) + 3600);
  try {
    const dynamoDbPuts = await opsPerSecond(1000, (index) =>
      dynamoDb.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: `bench-capacity-${stamp}-${index}` }, expiration: { N: expiration } },
        }),
      ),
    );
    // Under events/ (which triggers no function), like the archive.
    const s3Puts = await opsPerSecond(500, (index) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `events/_bench-capacity/${stamp}/${index}.json`,
          Body: JSON.stringify({ index, body: '{"n":1}' }),
          ContentType: 'application/json',
        }),
      ),
    );
    return { dynamoDbPuts, s3Puts, bound: round2(Math.min(s3Puts, dynamoDbPuts / 2)) };
  } finally {
    clients.destroy();
  }
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    fixtures: true,
    env: { WEBHOOK_SECRET_GITHUB: secret, POWERTOOLS_LOG_LEVEL: 'WARN' },
    timeoutMs: 120_000,
  });
  const clients = clientsOfStack(stack.state);
  const { sqs } = clients;
  try {
    await warmUp(stack, STEADY_RATE);
    const steady = await measureLatency(stack, STEADY_RATE);
    const cores = availableParallelism();
    const cpuBound = round2((cores * 1000) / steady.cpuMsTotal);
    await warmUp(stack, RATE);
    const latency = await measureLatency(stack, RATE);
    const noop = await measureDrain(stack, sqs, 'noop');
    const webhooks = await measureDrain(stack, sqs, 'webhooks');
    const capacity = await emulatorCapacity(stack);
    const drainRatio = round2(webhooks.perSecond / noop.perSecond);
    const figures = {
      rate_per_second: RATE,
      seconds: SECONDS,
      sent: latency.sent,
      post_failures: latency.failures,
      delivered: latency.delivered,
      latency_p50_ms: latency.p50,
      latency_p99_ms: latency.p99,
      steady_rate_per_second: STEADY_RATE,
      steady_latency_p50_ms: steady.p50,
      steady_latency_p99_ms: steady.p99,
      steady_delivered: steady.delivered,
      steady_post_failures: steady.failures,
      ...Object.fromEntries(
        Object.entries(steady.cpuMsPerDelivery).map(([name, ms]) => [`cpu_ms_per_delivery_${name}`, ms]),
      ),
      cpu_ms_per_delivery: steady.cpuMsTotal,
      cores,
      cpu_bound_deliveries_per_second: cpuBound,
      backlog: BACKLOG,
      drain_webhooks_per_second: webhooks.perSecond,
      drain_noop_per_second: noop.perSecond,
      drain_ratio: drainRatio,
      emulator_dynamodb_puts_per_second: capacity.dynamoDbPuts,
      emulator_s3_puts_per_second: capacity.s3Puts,
      drain_bound_per_second: capacity.bound,
      drain_bound_ratio: round2(capacity.bound / noop.perSecond),
    };
    const pass =
      latency.failures === 0 &&
      latency.delivered === latency.sent &&
      latency.p50 <= 250 &&
      latency.p99 <= 1000 &&
      drainRatio >= 0.8;
    writeBenchResult(
      'webhook-e2e',
      figures,
      {
        latency_p50_ms: '<= 250',
        latency_p99_ms: '<= 1000',
        drain_ratio: '>= 0.8 (vs the no-op fixture consumer)',
      },
      pass,
      `${RATE}/s for ${SECONDS}s: POST→downstream p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.delivered}/${latency.sent} delivered); at ${STEADY_RATE}/s: p50 ${steady.p50} ms, p99 ${steady.p99} ms, ${steady.cpuMsTotal} ms CPU per delivery → at most ${cpuBound}/s on ${cores} cores; drain ${BACKLOG}: ${webhooks.perSecond}/s vs no-op ${noop.perSecond}/s = ${drainRatio}× (emulator bound ${capacity.bound}/s = ${figures.drain_bound_ratio}×)`,
    );
  } finally {
    clients.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
