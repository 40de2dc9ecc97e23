/**
 * Middleware overhead (issue 14, figure 4): what each of intake's middy stacks costs per invocation over a
 * bare handler doing the same useful work by hand, measured in the same run:
 *   - HTTP with JSON body and zod validation (logger context and correlation id, metrics with cold start,
 *     x-request-id, error handler, JSON body, validation) vs JSON.parse + zod safeParse + the same response;
 *   - HTTP minimal (no body) vs a handler that only returns;
 *   - SQS, a batch of one record (Powertools BatchProcessor with partial batch failures) vs a loop that parses
 *     and validates the record's body and reports no failure;
 *   - S3, one ObjectCreated record (record schema, decoded key) vs reading bucket and decoded key by hand.
 * Interleaved rounds (tinybench, order alternating), median of per-round figures. Target: <= 25 µs each.
 *
 * Tracing is off (POWERTOOLS_TRACE_ENABLED=false, as in the local stack): the stacks then load no tracing
 * machinery at all (src/observability/tracer.ts; test/integration/platform/tracing-bundle.test.ts proves it
 * on the packaged bundles). EMF output is disabled; logs are at INFO and the success paths write none.
 * After the timed rounds, one more pass of each stack runs under the CPU profiler: `profiles` in the result.
 *
 *   npm run bench -- middleware
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
process.env.POWERTOOLS_SERVICE_NAME ??= 'intake-bench';

import '../test/helpers/middy-under-tsx';
import type { APIGatewayProxyEventV2, Context, S3Event, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { httpHandler } from '../src/middleware/http';
import { decodeS3Key, s3EventHandler } from '../src/middleware/s3';
import { sqsBatchHandler } from '../src/middleware/sqs';
import { profileInProcess, type ProcessProfile } from './lib/cpu-profile';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const ROUNDS = 7;
const TASK_TIME_MS = 300;
const PROFILE_CALLS = 20_000;
const TARGET_OVERHEAD_US = 25;

const schema = z.object({
  name: z.string().check(z.minLength(1)),
  amount: z.number(),
  tags: z.array(z.string()),
});
const body = JSON.stringify({ name: 'invoice-42', amount: 1250, tags: ['a', 'b', 'c'] });
const event = {
  version: '2.0',
  routeKey: 'POST /things',
  rawPath: '/things',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', host: 'localhost' },
  requestContext: { requestId: 'bench-request-id', http: { method: 'POST', path: '/things' } },
  body,
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;
const context = {
  awsRequestId: 'bench',
  functionName: 'intake-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:intake-bench',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const sqsEvent: SQSEvent = {
  Records: [
    {
      messageId: 'bench-message-id',
      receiptHandle: 'bench-receipt',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:intake-bench',
      awsRegion: 'us-east-1',
    },
  ],
};
const s3Event = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-12-06T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'intake-bench', arn: 'arn:aws:s3:::intake-bench' },
        object: { key: 'uploads/owner/id/a+b%2B.txt', size: 1024, eTag: 'etag', sequencer: '0A' },
      },
    },
  ],
} as unknown as S3Event;

// --- HTTP: the same work by hand and in the stack.
const work = (parsed: unknown) => ({ statusCode: 200, body: JSON.stringify({ accepted: parsed }) });
async function bareJson(input: APIGatewayProxyEventV2) {
  const result = z.safeParse(schema, JSON.parse(input.body ?? ''));
  if (!result.success) return { statusCode: 400, body: '{}' };
  return work(result.data);
}
const stackJson = httpHandler(async (input) => work(input.body), { bodySchema: schema });
const bareMinimal = async () => ({ statusCode: 204 });
const stackMinimal = httpHandler(async () => ({ statusCode: 204 }));
const copy = () => ({ ...event, headers: { ...event.headers } }); // the stack replaces event.body

// --- SQS: parse and validate each record's body; no failure to report.
let sqsSeen = 0;
const recordWork = (text: string) => {
  const result = z.safeParse(schema, JSON.parse(text));
  if (!result.success) throw new Error('invalid');
  sqsSeen += result.data.amount;
};
async function bareSqs(input: SQSEvent) {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of input.Records) {
    try {
      recordWork(record.body);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
const neverCalled = async () => {
  throw new Error('no failure is expected in this benchmark');
};
const stackSqs = sqsBatchHandler(async (record) => recordWork(record.body), { deadLetter: neverCalled });

// --- S3: read bucket and decoded key of each record.
let s3Seen = 0;
const objectWork = (bucket: string, key: string) => {
  s3Seen += bucket.length + key.length;
};
async function bareS3(input: S3Event) {
  for (const record of input.Records) objectWork(record.s3.bucket.name, decodeS3Key(record.s3.object.key));
}
const stackS3 = s3EventHandler(async (object) => objectWork(object.bucket, object.key), {
  failureDestination: neverCalled,
});

type Pair = { name: string; bare: () => Promise<unknown>; stack: () => Promise<unknown> };
const pairs: Pair[] = [
  { name: 'httpJson', bare: () => bareJson(copy()), stack: () => stackJson(copy(), context) },
  { name: 'httpMinimal', bare: () => bareMinimal(), stack: () => stackMinimal(copy(), context) },
  { name: 'sqsBatchOf1', bare: () => bareSqs(sqsEvent), stack: () => stackSqs(sqsEvent, context) },
  { name: 's3Event', bare: () => bareS3(s3Event), stack: () => stackS3(s3Event, context) },
];

async function sanityCheck(): Promise<void> {
  const [a, b] = [await bareJson(copy()), await stackJson(copy(), context)];
  if (a.body !== b.body || b.statusCode !== 200)
    throw new Error(`HTTP stack and bare disagree: ${a.body} vs ${b.body}`);
  const [c, d] = [await bareSqs(sqsEvent), await stackSqs(sqsEvent, context)];
  if (JSON.stringify(c) !== JSON.stringify(d))
    throw new Error(`SQS stack and bare disagree: ${JSON.stringify(c)} vs ${JSON.stringify(d)}`);
  const before = s3Seen;
  await bareS3(s3Event);
  const bare = s3Seen - before;
  await stackS3(s3Event, context);
  if (s3Seen - before !== 2 * bare) throw new Error('S3 stack and bare saw different objects');
  if (sqsSeen === 0) throw new Error('the SQS work did not run');
}

async function main(): Promise<void> {
  // tinybench is an ES module: a dynamic import is how this CommonJS project loads it.
  const { Bench } = await import('tinybench');
  await sanityCheck();

  const rounds: Record<string, number>[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bench = new Bench({ time: TASK_TIME_MS, warmupTime: 100 });
    const tasks = pairs.flatMap(({ name, bare, stack }): [string, () => Promise<unknown>][] => [
      [`${name}Bare`, bare],
      [`${name}Stack`, stack],
    ]);
    // Alternate the order so drift on a shared machine hits both sides alike.
    for (const [name, fn] of round % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(name, fn);
    await bench.run();
    const meanUs = (name: string) => {
      const result = bench.getTask(name)?.result as { latency?: { mean: number } } | undefined;
      if (!result?.latency) throw new Error(`no result for ${name}`);
      return result.latency.mean * 1000;
    };
    rounds.push(Object.fromEntries(tasks.map(([name]) => [name, meanUs(name)])));
  }
  const medianOf = (pick: (round: Record<string, number>) => number) => round2(median(rounds.map(pick)));
  const figures: Record<string, number> = { rounds: ROUNDS };
  for (const { name } of pairs) {
    figures[`${name}BareUs`] = medianOf((r) => r[`${name}Bare`]!);
    figures[`${name}StackUs`] = medianOf((r) => r[`${name}Stack`]!);
    figures[`${name}OverheadUs`] = medianOf((r) => r[`${name}Stack`]! - r[`${name}Bare`]!);
    figures[`${name}Ratio`] = medianOf((r) => r[`${name}Stack`]! / r[`${name}Bare`]!);
  }

  // Where the CPU went: one more pass of each stack under the profiler.
  const profiles: ProcessProfile[] = [];
  for (const { name, stack } of pairs) {
    const { profile } = await profileInProcess(`bench: ${name} stack × ${PROFILE_CALLS}`, async () => {
      for (let call = 0; call < PROFILE_CALLS; call += 1) await stack();
    });
    profiles.push(profile);
  }

  const overheads = pairs.map(({ name }) => figures[`${name}OverheadUs`]!);
  const pass = overheads.every((overhead) => overhead <= TARGET_OVERHEAD_US);
  writeBenchResult(
    'middleware',
    figures,
    Object.fromEntries(
      pairs.flatMap(({ name }) => [
        [`${name}OverheadUs`, `<= ${TARGET_OVERHEAD_US}`],
        [`${name}Ratio`, 'reported (stack / bare handler doing the same work)'],
      ]),
    ),
    pass,
    `stack overhead per invocation over a bare handler doing the same work: ${pairs
      .map(({ name }) => `${name} +${figures[`${name}OverheadUs`]} µs (${figures[`${name}Ratio`]}×)`)
      .join(', ')}; target <= ${TARGET_OVERHEAD_US} µs each`,
    profiles,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
