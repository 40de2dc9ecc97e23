/**
 * The cost model's profile (src/cost/profile.generated.json), derived, never written by hand: memory,
 * batching, polled queues and tracing from the resolved serverless.yml (`sls print --stage dev`), routes from
 * src/webhooks/webhook-routes.json, and durations from the measured figures in bench/results. `npm run cost
 * -- --write` writes it; test/unit/cost/cost-profile.test.ts fails when the committed file differs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLikeTheProject } from './project-format';
import { PROJECT_ROOT } from '../../bench/lib/serverless-package';
import type { CostedFunction, CostProfile, FunctionProfile } from '../../src/cost/cost-types';
import { costedFunctions } from '../../src/cost/cost-types';

export const PROFILE_PATH = join(PROJECT_ROOT, 'src', 'cost', 'profile.generated.json');

/** The parts of `sls print --format json` the profile reads. */
export interface ResolvedService {
  provider: { memorySize?: number; tracing?: { lambda?: unknown } };
  functions: Record<string, { memorySize?: number; events?: Record<string, unknown>[] }>;
}

/** A bench result file: its date and figures. */
export interface BenchResult {
  date: string;
  figures: Record<string, unknown>;
}

export interface ProfileInputs {
  service: ResolvedService;
  bench: Record<string, BenchResult>;
  routes: { routes: { source: string; type: string; function: string }[] };
  /** In-flight deliveries of webhook-e2e's drain (bench/webhook-e2e.bench.ts DRAIN_CONCURRENCY). */
  drainInFlight: number;
}

/** Resolves serverless.yml for stage dev as the deploy would (no credentials, no network). */
export function printService(stage = 'dev'): ResolvedService {
  const run = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'sls'),
    ['print', '--stage', stage, '--format', 'json'],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`sls print --stage ${stage} failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as ResolvedService;
}

const BENCHES = ['webhook-throughput', 'webhook-e2e', 'in-process-cpu', 'document-e2e'] as const;

/** Everything the profile is derived from, read from the working tree. */
export function readProfileInputs(): ProfileInputs {
  const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
  const drain = /^const DRAIN_CONCURRENCY = (\d+);$/m.exec(read('bench/webhook-e2e.bench.ts'));
  if (!drain)
    throw new Error('bench/webhook-e2e.bench.ts no longer declares `const DRAIN_CONCURRENCY = <n>;`');
  return {
    service: printService(),
    bench: Object.fromEntries(BENCHES.map((name) => [name, JSON.parse(read(`bench/results/${name}.json`))])),
    routes: JSON.parse(read('src/webhooks/webhook-routes.json')),
    drainInFlight: Number(drain[1]),
  };
}

function figure(bench: Record<string, BenchResult>, name: string, key: string): number {
  const value = bench[name]?.figures[key];
  if (typeof value !== 'number' || !(value > 0)) {
    throw new Error(`bench/results/${name}.json has no positive figure ${key}: run its benchmark`);
  }
  return value;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const day = (bench: Record<string, BenchResult>, name: string) => bench[name]!.date.slice(0, 10);

/** The profile for `inputs`; throws naming what is missing. */
export function buildCostProfile({ service, bench, routes, drainInFlight }: ProfileInputs): CostProfile {
  const memoryOf = (name: string): number => {
    const fn = service.functions[name];
    if (!fn) throw new Error(`serverless.yml has no function ${name}`);
    const memory = fn.memorySize ?? service.provider.memorySize;
    if (typeof memory !== 'number') throw new Error(`${name} has no memorySize, nor has the provider`);
    return memory;
  };
  const sqsEvents = Object.entries(service.functions).flatMap(([name, fn]) =>
    (fn.events ?? [])
      .filter((event) => 'sqs' in event)
      .map((event) => ({ name, sqs: event.sqs as Record<string, unknown> })),
  );
  const webhookSqs = sqsEvents.find((event) => event.name === 'webhook-process')?.sqs;
  if (!webhookSqs) throw new Error('webhook-process has no sqs event in serverless.yml');
  const batchSize = Number(webhookSqs.batchSize ?? 10);

  const connections = figure(bench, 'webhook-throughput', 'connections');
  const receiveMs =
    (connections / figure(bench, 'webhook-throughput', 'receive_rps') -
      connections / figure(bench, 'webhook-throughput', 'bare_202_rps')) *
    1000;
  const receive: FunctionProfile = {
    memoryMb: memoryOf('webhook-receive'),
    durationMs: round2(receiveMs),
    durationPer: 'invocation',
    measuredBy: `bench/results/webhook-throughput.json (${day(bench, 'webhook-throughput')}): by Little's law at its ${connections} connections, a request's time through webhook-receive (receive_rps) less its time through a bare 202 function (bare_202_rps)`,
  };
  const batchesInFlight = drainInFlight / batchSize;
  const documentMb = figure(bench, 'document-e2e', 'sizeBytes') / 2 ** 20;

  const functions: Record<CostedFunction, FunctionProfile> = {
    'webhook-receive': receive,
    'webhook-process': {
      memoryMb: memoryOf('webhook-process'),
      durationMs: round2(
        (batchesInFlight / figure(bench, 'webhook-e2e', 'drain_webhooks_per_second')) * 1000,
      ),
      durationPer: 'message',
      measuredBy: `bench/results/webhook-e2e.json (${day(bench, 'webhook-e2e')}): its drain of a backlog, ${batchesInFlight} batches of ${batchSize} in flight, at drain_webhooks_per_second: a batch's time divided by its size`,
    },
    'webhook-sample-downstream': {
      memoryMb: memoryOf('webhook-sample-downstream'),
      durationMs: 1,
      durationPer: 'invocation',
      measuredBy:
        "not measured: the sample logs one line, billed at Lambda's 1 ms minimum; a real downstream costs what it runs",
    },
    'documents-api': {
      memoryMb: memoryOf('documents-api'),
      durationMs: receive.durationMs,
      durationPer: 'invocation',
      measuredBy:
        "not measured on its own: webhook-receive's figure (an HTTP function making one AWS call, as creating a form or reading a manifest does)",
    },
    'document-process': {
      memoryMb: memoryOf('document-process'),
      durationMs: round2(figure(bench, 'document-e2e', 'processingP50Ms') / documentMb),
      durationPer: 'MB',
      measuredBy: `bench/results/document-e2e.json (${day(bench, 'document-e2e')}): processingP50Ms (the manifest's own timing of the streaming pass) for its ${round2(documentMb)} MB uploads, scaled by size`,
    },
  };

  const routed = routes.routes
    .filter((route) => route.source === '*' && route.type === '*')
    .map((route) => route.function);
  for (const name of routed) {
    if (!(costedFunctions as readonly string[]).includes(name)) {
      throw new Error(
        `every webhook is routed to ${name}, which the cost model has no profile for (src/cost/cost-types.ts)`,
      );
    }
  }
  return {
    functions,
    webhookBatch: { batchSize, maximumBatchingWindowSeconds: Number(webhookSqs.maximumBatchingWindow ?? 0) },
    polledQueues: sqsEvents.length,
    routedToEveryWebhook: routed,
    webhookBodyBytes: figure(bench, 'in-process-cpu', 'bodyBytes'),
    tracing: service.provider.tracing?.lambda === true,
  };
}

/** The file's text: the profile with a note that it is generated, formatted as the project formats JSON. */
export function profileFileText(profile: CostProfile): string {
  const note = 'Generated by `npm run cost -- --write` from serverless.yml and bench/results: do not edit.';
  return formatLikeTheProject(JSON.stringify({ $comment: note, ...profile }), PROFILE_PATH);
}
