import committedPrices from './prices.json';
import committedProfile from './profile.generated.json';
import type {
  CostEstimate,
  CostLine,
  CostProfile,
  CostedFunction,
  FunctionProfile,
  MonthlyTraffic,
  PriceList,
  PriceName,
} from './cost-types';
import {
  API_CALLS_PER_DOCUMENT,
  APP_LOG_LINE_BYTES,
  APP_LOG_LINES_PER_DOCUMENT,
  APP_LOG_LINES_PER_WEBHOOK,
  HISTORY_WRITES_PER_WEBHOOK,
  IDEMPOTENCY_WRITES_PER_WEBHOOK,
  IDLE_POLLERS_PER_QUEUE,
  LONG_POLL_SECONDS,
  PLATFORM_LOG_BYTES_PER_INVOCATION,
  QUOTA_WRITES_PER_DOCUMENT,
  S3_GETS_PER_DOCUMENT,
  S3_MULTIPART_PART_MB,
  S3_PUTS_PER_DOCUMENT_BESIDES_COPY,
  SECONDS_PER_MONTH,
  SQS_CHUNK_BYTES,
  XRAY_FIXED_RATE,
  XRAY_RESERVOIR_PER_SECOND,
} from './usage-assumptions';

export type { CostEstimate, CostLine, MonthlyTraffic } from './cost-types';

const MB = 2 ** 20;
const GB = 2 ** 30;

/** The committed price list and profile; tests and `--prices` runs pass their own. */
export const defaultPrices = committedPrices as PriceList;
export const defaultProfile = committedProfile as unknown as CostProfile;

interface Usage {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly price: PriceName;
}

/** Webhooks per webhook-process invocation: what the batching window gathers at the month's mean rate. */
export function messagesPerBatch(webhooks: number, batch: CostProfile['webhookBatch']): number {
  const gathered = (webhooks / SECONDS_PER_MONTH) * batch.maximumBatchingWindowSeconds;
  return Math.min(batch.batchSize, Math.max(1, gathered));
}

/** Lambda bills each invocation's duration rounded up to the millisecond. */
function billedGbSeconds(fn: FunctionProfile, invocations: number, scale: number): number {
  const billedMs = Math.ceil(fn.durationMs * scale);
  return invocations * (billedMs / 1000) * (fn.memoryMb / 1024);
}

function lambdaUsage(name: string, fn: FunctionProfile, invocations: number, scale: number): Usage[] {
  return [
    { service: 'Lambda', item: `${name} requests`, quantity: invocations, price: 'lambdaRequest' },
    {
      service: 'Lambda',
      item: `${name} compute (${fn.memoryMb} MB)`,
      quantity: billedGbSeconds(fn, invocations, scale),
      price: 'lambdaArmGbSecond',
    },
  ];
}

/** Traces X-Ray records for `roots` trace-starting requests spread over the month. */
function sampledTraces(roots: number): number {
  const reservoir = Math.min(roots, SECONDS_PER_MONTH * XRAY_RESERVOIR_PER_SECOND);
  return reservoir + (roots - reservoir) * XRAY_FIXED_RATE;
}

/** Everything the stack does in a month of `traffic`, counted (see usage-assumptions.ts). */
export function monthlyUsage(traffic: MonthlyTraffic, profile: CostProfile): Usage[] {
  const { webhooks, documents, documentMb } = traffic;
  const fns = profile.functions;
  const perBatch = messagesPerBatch(webhooks, profile.webhookBatch);
  const batches = webhooks === 0 ? 0 : Math.ceil(webhooks / perBatch);
  const webhookChunks = Math.ceil(profile.webhookBodyBytes / SQS_CHUNK_BYTES);
  const batchChunks = Math.ceil((perBatch * profile.webhookBodyBytes) / SQS_CHUNK_BYTES);
  const idlePolls = profile.polledQueues * IDLE_POLLERS_PER_QUEUE * (SECONDS_PER_MONTH / LONG_POLL_SECONDS);
  const copyPuts = documentMb <= S3_MULTIPART_PART_MB ? 1 : Math.ceil(documentMb / S3_MULTIPART_PART_MB) + 2;
  const apiRequests = webhooks + documents * API_CALLS_PER_DOCUMENT;

  const invocations: [string, FunctionProfile, number, number][] = [
    ['webhook-receive', fns['webhook-receive'], webhooks, 1],
    ['webhook-process', fns['webhook-process'], batches, perBatch],
    ...profile.routedToEveryWebhook.map((name): [string, FunctionProfile, number, number] => [
      name,
      fns[name as CostedFunction],
      webhooks,
      1,
    ]),
    ['documents-api', fns['documents-api'], documents * API_CALLS_PER_DOCUMENT, 1],
    ['document-process', fns['document-process'], documents, documentMb],
  ];
  const totalInvocations = invocations.reduce((sum, [, , count]) => sum + count, 0);
  const logBytes =
    totalInvocations * PLATFORM_LOG_BYTES_PER_INVOCATION +
    (webhooks * APP_LOG_LINES_PER_WEBHOOK + documents * APP_LOG_LINES_PER_DOCUMENT) * APP_LOG_LINE_BYTES;

  return [
    {
      service: 'API Gateway',
      item: 'HTTP API requests',
      quantity: apiRequests,
      price: 'apiGatewayHttpRequest',
    },
    ...invocations.flatMap(([name, fn, count, scale]) => lambdaUsage(name, fn, count, scale)),
    {
      service: 'SQS',
      item: 'sends (webhooks, document.processed)',
      quantity: webhooks * webhookChunks + documents,
      price: 'sqsStandardRequest',
    },
    {
      service: 'SQS',
      item: `receives (batches of ${round2(perBatch)})`,
      quantity: batches * batchChunks,
      price: 'sqsStandardRequest',
    },
    {
      service: 'SQS',
      item: 'deletes (one batch call a batch)',
      quantity: batches,
      price: 'sqsStandardRequest',
    },
    {
      service: 'SQS',
      item: `idle long polls (${profile.polledQueues} polled queues)`,
      quantity: idlePolls,
      price: 'sqsStandardRequest',
    },
    {
      service: 'S3',
      item: 'PUT requests (archives, uploads, copies, manifests, tags)',
      quantity: webhooks + documents * (S3_PUTS_PER_DOCUMENT_BESIDES_COPY + copyPuts),
      price: 's3PutRequest',
    },
    {
      service: 'S3',
      item: 'GET requests (uploads, manifests)',
      quantity: documents * S3_GETS_PER_DOCUMENT,
      price: 's3GetRequest',
    },
    {
      service: 'S3',
      item: "storage added this month (archives, documents' clean copies)",
      quantity: (webhooks * profile.webhookBodyBytes + documents * documentMb * MB) / GB,
      price: 's3StandardGbMonth',
    },
    {
      service: 'DynamoDB',
      item: 'idempotency writes',
      quantity: webhooks * IDEMPOTENCY_WRITES_PER_WEBHOOK,
      price: 'dynamoDbWriteRequestUnit',
    },
    {
      service: 'DynamoDB',
      item: 'delivery history writes',
      quantity: webhooks * HISTORY_WRITES_PER_WEBHOOK,
      price: 'dynamoDbWriteRequestUnit',
    },
    {
      service: 'DynamoDB',
      item: 'upload quota writes',
      quantity: documents * QUOTA_WRITES_PER_DOCUMENT,
      price: 'dynamoDbWriteRequestUnit',
    },
    {
      service: 'CloudWatch',
      item: 'logs ingested',
      quantity: logBytes / GB,
      price: 'cloudWatchLogsIngestGb',
    },
    ...(profile.tracing
      ? [
          {
            service: 'X-Ray',
            item: 'traces recorded (default sampling)',
            quantity: sampledTraces(apiRequests + batches + documents),
            price: 'xRayTraceRecorded' as const,
          },
        ]
      : []),
  ];
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The monthly cost of `traffic` at list prices (no free tier): one line per priced quantity, from the
 * generated profile (memory from serverless.yml, durations measured in bench/results) and the dated price
 * list. Pure: no I/O, so a Lambda bundle may call it.
 */
export function estimateMonthlyCost(
  traffic: MonthlyTraffic,
  { prices = defaultPrices, profile = defaultProfile }: { prices?: PriceList; profile?: CostProfile } = {},
): CostEstimate {
  const lines: CostLine[] = monthlyUsage(traffic, profile).map(({ service, item, quantity, price }) => {
    const { usd, unit } = prices.prices[price];
    return { service, item, quantity, unit, unitPriceUsd: usd, monthlyUsd: quantity * usd };
  });
  return {
    pricesAsOf: prices.asOf,
    region: prices.region,
    lines,
    totalUsd: lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
  };
}
