/**
 * Middleware overhead (issue 3, item 5): what the HTTP stack — logger context and correlation id, tracer,
 * metrics with cold start, x-request-id, error handler, JSON body parsing and zod validation — costs per
 * invocation, against a bare handler doing the same useful work by hand (JSON.parse, zod safeParse,
 * JSON.stringify) measured in the same run. A second pair compares the stack without body handling to a
 * handler that only returns. Interleaved rounds (tinybench), median of per-round figures.
 *
 * Outside Lambda the tracer is a no-op and EMF output is disabled (POWERTOOLS_METRICS_DISABLED), as in the
 * tests; logs are at INFO and the success path writes none. Target: ≤ 200 µs overhead per invocation
 * (2% of a 10 ms invocation, with headroom for a loaded shared machine); the ratios are reported beside it.
 * Where the time goes (CPU profile): the X-Ray SDK's async_hooks destroy tracking on every promise (loaded
 * with the tracer even when tracing is off), Powertools reading process.env per invocation, middy's
 * early-timeout timer, and garbage from the per-invocation log/metric state.
 *
 *   npx tsx bench/middleware.bench.ts
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
process.env.POWERTOOLS_SERVICE_NAME ??= 'intake-bench';

import '../test/helpers/middy-under-tsx';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { httpHandler } from '../src/middleware/http';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const ROUNDS = 5;
const TASK_TIME_MS = 400;
const TARGET_OVERHEAD_US = 200;

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

async function main(): Promise<void> {
  // tinybench is an ES module: a dynamic import is how this CommonJS project loads it.
  const { Bench } = await import('tinybench');
  // Sanity: both sides must answer the same before we time them.
  const [a, b] = [await bareJson(copy()), await stackJson(copy(), context)];
  if (a.body !== b.body || b.statusCode !== 200)
    throw new Error(`stack and bare disagree: ${a.body} vs ${b.body}`);

  const rounds: Record<string, number>[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bench = new Bench({ time: TASK_TIME_MS, warmupTime: 100 });
    const tasks: [string, () => Promise<unknown>][] = [
      ['bareJson', () => bareJson(copy())],
      ['stackJson', () => stackJson(copy(), context)],
      ['bareMinimal', () => bareMinimal()],
      ['stackMinimal', () => stackMinimal(copy(), context)],
    ];
    // Alternate the order so drift on a shared machine hits both sides alike.
    for (const [name, fn] of round % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(name, fn);
    await bench.run();
    const meanUs = (name: string) => {
      const result = bench.getTask(name)?.result as { latency?: { mean: number } } | undefined;
      if (!result?.latency) throw new Error(`no result for ${name}`);
      return result.latency.mean * 1000;
    };
    rounds.push({
      bareJsonUs: meanUs('bareJson'),
      stackJsonUs: meanUs('stackJson'),
      bareMinimalUs: meanUs('bareMinimal'),
      stackMinimalUs: meanUs('stackMinimal'),
    });
  }
  const medianOf = (pick: (round: Record<string, number>) => number) => round2(median(rounds.map(pick)));
  const figures = {
    bareJsonUs: medianOf((r) => r.bareJsonUs!),
    stackJsonUs: medianOf((r) => r.stackJsonUs!),
    jsonOverheadUs: medianOf((r) => r.stackJsonUs! - r.bareJsonUs!),
    jsonRatio: medianOf((r) => r.stackJsonUs! / r.bareJsonUs!),
    bareMinimalUs: medianOf((r) => r.bareMinimalUs!),
    stackMinimalUs: medianOf((r) => r.stackMinimalUs!),
    minimalOverheadUs: medianOf((r) => r.stackMinimalUs! - r.bareMinimalUs!),
    rounds: ROUNDS,
  };
  const pass =
    figures.jsonOverheadUs <= TARGET_OVERHEAD_US && figures.minimalOverheadUs <= TARGET_OVERHEAD_US;
  writeBenchResult(
    'middleware',
    figures,
    {
      jsonOverheadUs: `<= ${TARGET_OVERHEAD_US}`,
      minimalOverheadUs: `<= ${TARGET_OVERHEAD_US}`,
      jsonRatio: 'reported (stack / bare handler doing the same JSON + zod work)',
    },
    pass,
    `HTTP stack adds ${figures.jsonOverheadUs} µs with JSON+validation (${figures.jsonRatio}× a bare handler doing the same work), ${figures.minimalOverheadUs} µs without; target ≤ ${TARGET_OVERHEAD_US} µs`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
