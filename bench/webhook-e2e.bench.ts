/**
 * End-to-end webhook figures on the real `npm start` stack (issue 14 figures 2 and 7), loopback only:
 *   1. latency: signed POSTs at a steady 100 deliveries/s for SECONDS (30); POST sent → the sample
 *      downstream's receipt (its INTAKE_WEBHOOK_DOWNSTREAM line, same clock): p50 ≤ 250 ms, p99 ≤ 1 s,
 *      nothing lost; and the CPU one delivery costs at that rate across every process — serverless-offline
 *      per thread group (main thread, the functions' worker threads, V8's GC threads…), each emulator, and
 *      this bench (signing, HTTP, reading the stack's output): ≤ 13 ms;
 *   2. drain: a backlog of 10,000 deliveries put straight on the webhooks queue, drained by webhook-process
 *      (idempotency, archive, async invoke of the sample downstream), against the same calls made bare in
 *      the same run: per delivery a conditional PutItem and an UpdateItem on the idempotency table (the
 *      record Powertools writes), a PutObject under events/ through the stack's S3 endpoint and an `Event`
 *      invoke of the sample downstream through the stack's Lambda API, 50 deliveries at a time (the
 *      mapping's 5 batches of 10), timed to the downstream's last receipt as the drain is: ratio ≥ 0.8.
 *      The no-op fixture consumer's drain of its own queue (what the mapping alone carries) is reported too;
 *   3. the same latency run at STEADY_RATE (40/s), for a rate this machine carried before issue 14.
 *
 * Before each latency run the stack is warmed at the same rate for 5 s: serverless-offline starts its
 * worker threads (up to INTAKE_FUNCTION_CONCURRENCY per function) on demand, and their cold starts are
 * not what a steady rate measures. Then a second, shorter stack runs the 100/s load under `--cpu-prof`
 * and the top functions of each process and thread go into the result's profiles.
 *
 *   npx tsx bench/webhook-e2e.bench.ts [seconds = 30] [backlog = 10000]
 */
import '../test/helpers/quiet';
import { availableParallelism } from 'node:os';
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { clientsOfStack } from '../test/helpers/emulators';
import { contentDeliveryId } from '../src/webhooks/delivery';
import { serialiseWebhookMessage } from '../src/webhooks/message';
import { FIXTURE_LINE_PREFIX, parseFixtureLine } from '../test/fixtures/functions/fixture-line';
import { postGithubPush } from '../test/helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../test/helpers/local-stack-process';
import { measureStackCpu } from './lib/process-cpu';
import { profiledStackRun } from './lib/stack-profiles';
import { writeBenchResult } from './lib/results';
import { percentile, round2 } from './lib/stats';

const SECONDS = Math.max(5, Number(process.argv[2] ?? 30));
const BACKLOG = Math.max(100, Number(process.argv[3] ?? 10_000));
const RATE = 100;
const STEADY_RATE = 40;
const PROFILE_SECONDS = 10;
/** The mapping's 5 concurrent batches of 10 records, which the worker processes concurrently. */
const DRAIN_CONCURRENCY = 50;
const TARGETS = { p50: 250, p99: 1000, cpuMsPerDelivery: 13, drainRatio: 0.8 };
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

/** Runs `op` for 0..count-1, `concurrency` at a time. */
async function runConcurrently(count: number, concurrency: number, op: (index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
}

/**
 * The calls webhook-process makes per delivery, made bare against the same stack: the idempotency
 * record's conditional put and its completion, the archive put and the downstream's `Event` invoke
 * (archive and invoke side by side, as the processor runs them). Deliveries/s, timed from the first call
 * to the downstream's last receipt, as the drain is.
 */
async function bareCallsPerSecond(stack: LocalStackProcess, count: number) {
  const { resources } = stack.state;
  const clients = clientsOfStack(stack.state);
  const { dynamodb: dynamoDb, s3 } = clients;
  const lambda = new LambdaClient({
    endpoint: stack.state.lambda.functionEndpoint,
    region: stack.state.region,
    credentials: stack.state.credentials,
  });
  const table = resources.tables.find((candidate) => candidate.logicalId === 'IdempotencyTable')!.name;
  const bucket = resources.buckets.find((candidate) => candidate.logicalId === 'DocumentsBucket')!.name;
  const downstream = `intake-${stack.state.stage}-webhook-sample-downstream`;
  const stamp = Date.now();
  const receipts = receiptReader(stack, stack.lines.length);
  const started = Date.now();
  try {
    await runConcurrently(count, DRAIN_CONCURRENCY, async (index) => {
      const id = `bare-${stamp}-${index}`;
      const key = { id: { S: `webhook-delivery#${id}` } };
      const now = Math.floor(Date.now() / 1000);
      await dynamoDb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...key,
            expiration: { N: String(now + 3600) },
            in_progress_expiration: { N: String(Date.now() + 30_000) },
            status: { S: 'INPROGRESS' },
          },
          ConditionExpression:
            'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#expiry': 'expiration',
            '#status': 'status',
            '#in_progress_expiry': 'in_progress_expiration',
          },
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':now_in_millis': { N: String(Date.now()) },
            ':inprogress': { S: 'INPROGRESS' },
          },
        }),
      );
      const archiveKey = `events/_bench-bare/${stamp}/${index}.json`;
      await Promise.all([
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: archiveKey,
            Body: JSON.stringify({ id, body: `{"n":${index}}` }),
            ContentType: 'application/json',
          }),
        ),
        lambda.send(
          new InvokeCommand({
            FunctionName: downstream,
            InvocationType: 'Event',
            Payload: Buffer.from(
              JSON.stringify({
                kind: 'intake.webhook',
                source: 'github',
                type: 'push',
                id,
                receivedAt: new Date().toISOString(),
                headers: {},
                encoding: 'utf8',
                body: `{"n":${index}}`,
                archive: { bucket, key: archiveKey },
              }),
            ),
          }),
        ),
      ]);
      await dynamoDb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #status = :status, #expiry = :expiry, #data = :data',
          ExpressionAttributeNames: { '#status': 'status', '#expiry': 'expiration', '#data': 'data' },
          ExpressionAttributeValues: {
            ':status': { S: 'COMPLETED' },
            ':expiry': { N: String(now + 3600) },
            ':data': { S: JSON.stringify({ done: true, key: archiveKey, pending: [] }) },
          },
        }),
      );
    });
    await until(
      () => [...receipts().keys()].filter((id) => id.startsWith(`bare-${stamp}-`)).length >= count,
      600_000,
    );
    const seen = [...receipts()].filter(([id]) => id.startsWith(`bare-${stamp}-`)).map(([, at]) => at);
    const seconds = (Math.max(...seen) - started) / 1000;
    return { delivered: seen.length, perSecond: round2(seen.length / Math.max(seconds, 0.001)) };
  } finally {
    lambda.destroy();
    clients.destroy();
  }
}

/** A shorter 100/s run under --cpu-prof, on a stack of its own: the top functions of each process and thread. */
function latencyProfiles() {
  return profiledStackRun(
    {
      fixtures: true,
      env: { WEBHOOK_SECRET_GITHUB: secret, POWERTOOLS_LOG_LEVEL: 'WARN' },
      timeoutMs: 120_000,
    },
    async (stack) => {
      const readReceipts = receiptReader(stack, stack.lines.length);
      const posted = await postSteadily(stack, RATE, RATE * PROFILE_SECONDS, 'e2e-profile');
      await until(() => readReceipts().size >= posted.sentAt.size - posted.failures, 120_000);
    },
  );
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    fixtures: true,
    env: { WEBHOOK_SECRET_GITHUB: secret, POWERTOOLS_LOG_LEVEL: 'WARN' },
    timeoutMs: 120_000,
  });
  const clients = clientsOfStack(stack.state);
  const { sqs } = clients;
  let measured;
  try {
    await warmUp(stack, STEADY_RATE);
    const steady = await measureLatency(stack, STEADY_RATE);
    await warmUp(stack, RATE);
    const latency = await measureLatency(stack, RATE);
    const noop = await measureDrain(stack, sqs, 'noop');
    const webhooks = await measureDrain(stack, sqs, 'webhooks');
    const { result: bare, cpuSeconds: bareCpu } = await measureStackCpu('bench', () =>
      bareCallsPerSecond(stack, BACKLOG),
    );
    // What the bare calls alone cost the stack per delivery: a floor under cpu_ms_per_delivery that no
    // change to intake's code can go below (the receive side's floor is webhook-throughput's baseline).
    const bareCpuMs = Object.fromEntries(
      Object.entries(bareCpu).map(([name, seconds]) => [name, round2((seconds * 1000) / BACKLOG)]),
    );
    measured = { steady, latency, noop, webhooks, bare, bareCpuMs };
  } finally {
    clients.destroy();
    await stack.stop();
  }
  const profiles = await latencyProfiles();
  const { steady, latency, noop, webhooks, bare, bareCpuMs } = measured;
  const cores = availableParallelism();
  const drainRatio = round2(webhooks.perSecond / bare.perSecond);
  const lost = latency.sent - latency.delivered;
  const figures: Record<string, number> = {
    rate_per_second: RATE,
    seconds: SECONDS,
    sent: latency.sent,
    post_failures: latency.failures,
    delivered: latency.delivered,
    lost,
    latency_p50_ms: latency.p50,
    latency_p99_ms: latency.p99,
    ...Object.fromEntries(
      Object.entries(latency.cpuMsPerDelivery).map(([name, ms]) => [`cpu_ms_per_delivery_${name}`, ms]),
    ),
    cpu_ms_per_delivery: latency.cpuMsTotal,
    cores,
    // The most deliveries/s the cores carry at that cost: past it, latency only says the queue grows.
    cpu_bound_deliveries_per_second: round2((cores * 1000) / latency.cpuMsTotal),
    steady_rate_per_second: STEADY_RATE,
    steady_latency_p50_ms: steady.p50,
    steady_latency_p99_ms: steady.p99,
    steady_lost: steady.sent - steady.delivered,
    steady_cpu_ms_per_delivery: steady.cpuMsTotal,
    backlog: BACKLOG,
    drain_webhooks_per_second: webhooks.perSecond,
    drain_bare_calls_per_second: bare.perSecond,
    drain_ratio: drainRatio,
    drain_noop_consumer_per_second: noop.perSecond,
    ...Object.fromEntries(
      Object.entries(bareCpuMs).map(([name, ms]) => [`bare_calls_cpu_ms_per_delivery_${name}`, ms]),
    ),
    bare_calls_cpu_ms_per_delivery: round2(Object.values(bareCpuMs).reduce((sum, ms) => sum + ms, 0)),
  };
  const pass =
    lost === 0 &&
    latency.failures === 0 &&
    latency.p50 <= TARGETS.p50 &&
    latency.p99 <= TARGETS.p99 &&
    latency.cpuMsTotal <= TARGETS.cpuMsPerDelivery &&
    drainRatio >= TARGETS.drainRatio;
  writeBenchResult(
    'webhook-e2e',
    figures,
    {
      latency_p50_ms: `<= ${TARGETS.p50}`,
      latency_p99_ms: `<= ${TARGETS.p99}`,
      lost: '= 0 (and post_failures = 0)',
      cpu_ms_per_delivery: `<= ${TARGETS.cpuMsPerDelivery} (every process of the stack and this bench, at ${RATE}/s)`,
      drain_ratio: `>= ${TARGETS.drainRatio} (vs the same calls made bare, ${DRAIN_CONCURRENCY} at a time)`,
    },
    pass,
    `${RATE}/s for ${SECONDS}s: POST→downstream p50 ${latency.p50} ms, p99 ${latency.p99} ms, ${lost} lost, ${latency.failures} POSTs failed, ${latency.cpuMsTotal} ms CPU per delivery (≤ ${figures.cpu_bound_deliveries_per_second}/s on ${cores} cores); at ${STEADY_RATE}/s p50 ${steady.p50} ms, p99 ${steady.p99} ms; drain ${BACKLOG}: ${webhooks.perSecond}/s vs the same calls bare ${bare.perSecond}/s = ${drainRatio}× (no-op consumer ${noop.perSecond}/s); the bare calls alone cost ${figures.bare_calls_cpu_ms_per_delivery} ms CPU per delivery`,
    profiles,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
