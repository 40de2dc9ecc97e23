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
 *      min(s3 puts/s, DynamoDB writes/s ÷ 2), whatever its code does.
 *
 *   npx tsx bench/webhook-e2e.bench.ts [seconds = 30] [backlog = 10000]
 */
import '../src/webhooks/testing/quiet';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { serialiseWebhookMessage } from '../src/webhooks/message';
import { signGithub } from '../src/webhooks/signature/sign';
import { FIXTURE_LINE_PREFIX, parseFixtureLine } from '../test/fixtures/functions/fixture-line';
import { startLocalStack, type LocalStackProcess } from '../test/helpers/local-stack-process';
import { writeBenchResult } from './lib/results';
import { percentile, round2 } from './lib/stats';

const SECONDS = Math.max(5, Number(process.argv[2] ?? 30));
const BACKLOG = Math.max(100, Number(process.argv[3] ?? 10_000));
const RATE = 100;
const DOWNSTREAM_PREFIX = 'INTAKE_WEBHOOK_DOWNSTREAM ';
const secret = 'e2e bench secret';

/** Receipt time (ms) of each delivery id seen by the sample downstream function. */
function downstreamReceipts(stack: LocalStackProcess, from: number): Map<string, number> {
  const receipts = new Map<string, number>();
  for (const line of stack.lines.slice(from)) {
    if (!line.startsWith(DOWNSTREAM_PREFIX)) continue;
    const { id, receivedAt } = JSON.parse(line.slice(DOWNSTREAM_PREFIX.length)) as {
      id: string;
      receivedAt: number;
    };
    if (!receipts.has(id)) receipts.set(id, receivedAt);
  }
  return receipts;
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

/** One signed GitHub `push` delivery to the stack's receiver. */
function postGithubPush(stack: LocalStackProcess, id: string, body: string): Promise<Response> {
  return fetch(`${stack.state.http.url}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': id,
      ...signGithub(secret, body),
    },
    body,
  });
}

/** Warms serverless-offline's worker threads and the three functions so the run measures a steady state. */
async function warmUp(stack: LocalStackProcess): Promise<void> {
  const from = stack.lines.length;
  const ids = Array.from({ length: 60 }, (_, index) => `warm-${Date.now()}-${index}`);
  for (let index = 0; index < ids.length; index += 10) {
    await Promise.all(
      ids.slice(index, index + 10).map(async (id) => {
        const response = await postGithubPush(stack, id, '{"warm":true}');
        await response.arrayBuffer();
      }),
    );
  }
  await until(() => downstreamReceipts(stack, from).size >= ids.length, 120_000);
}

async function measureLatency(stack: LocalStackProcess) {
  const from = stack.lines.length;
  const sentAt = new Map<string, number>();
  const total = SECONDS * RATE;
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  let failures = 0;
  for (let index = 0; index < total; index++) {
    // A steady schedule: request i leaves at started + i × 10 ms, whatever the previous ones are doing.
    const wait = started + (index * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = `e2e-bench-${started}-${index}`;
    const body = JSON.stringify({ index, ref: 'refs/heads/main' });
    sentAt.set(id, Date.now());
    inFlight.push(
      postGithubPush(stack, id, body).then(
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
  // Generous: when the worker cannot keep up, the figure is how late deliveries arrive, not how many.
  await until(() => downstreamReceipts(stack, from).size >= total - failures, 360_000);
  const receipts = downstreamReceipts(stack, from);
  const latencies = [...sentAt].flatMap(([id, sent]) => (receipts.has(id) ? [receipts.get(id)! - sent] : []));
  return {
    sent: total,
    failures,
    delivered: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
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
  const times = (): number[] =>
    which === 'webhooks'
      ? [...downstreamReceipts(stack, from).values()]
      : stack.lines.slice(from).flatMap((line) => {
          if (!line.startsWith(FIXTURE_LINE_PREFIX)) return [];
          const parsed = parseFixtureLine(line);
          return parsed?.fn === 'sqs-consumer' &&
            typeof parsed.body === 'string' &&
            parsed.body.includes(`"stamp":${stamp}`)
            ? [parsed.receivedAt]
            : [];
        });
  await until(() => times().length >= BACKLOG, 20 * 60_000);
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
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const { emulators, resources } = stack.state;
  const dynamoDb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: emulators.dynamodb.endpoint,
    credentials,
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emulators.s3.endpoint,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
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
    dynamoDb.destroy();
    s3.destroy();
  }
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    fixtures: true,
    env: { WEBHOOK_SECRET_GITHUB: secret, POWERTOOLS_LOG_LEVEL: 'WARN' },
    timeoutMs: 120_000,
  });
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: stack.state.emulators.sqs.endpoint,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await warmUp(stack);
    const latency = await measureLatency(stack);
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
      `${RATE}/s for ${SECONDS}s: POST→downstream p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.delivered}/${latency.sent} delivered); drain ${BACKLOG}: ${webhooks.perSecond}/s vs no-op ${noop.perSecond}/s = ${drainRatio}× (emulator bound ${capacity.bound}/s = ${figures.drain_bound_ratio}×)`,
    );
  } finally {
    sqs.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
