/**
 * The shapes of the cost model: what a month of traffic is, what the stack is made of (the profile,
 * generated from serverless.yml and bench/results by `npm run cost -- --write`), the price list, and the
 * estimate. Plain types, so the console API and the page can share them.
 */

/** A month of traffic. */
export interface MonthlyTraffic {
  /** Webhook deliveries accepted (each POST that is queued). */
  readonly webhooks: number;
  /** Documents uploaded and processed. */
  readonly documents: number;
  /** The mean size of a document, in MB (2^20 bytes). */
  readonly documentMb: number;
}

/** One priced quantity of the monthly bill. */
export interface CostLine {
  /** The AWS service as the bill names it (`Lambda`, `SQS`…). */
  readonly service: string;
  /** What is counted, e.g. `webhook-receive compute` or `PUT requests (archives, manifests…)`. */
  readonly item: string;
  readonly quantity: number;
  /** The unit of quantity and of the unit price (`request`, `GB-second`…). */
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  /** The date of the price list (prices.json `asOf`). */
  readonly pricesAsOf: string;
  readonly region: string;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
}

/** How a function's measured duration scales: per invocation, per SQS message of its batch, per MB processed. */
export type DurationBasis = 'invocation' | 'message' | 'MB';

export interface FunctionProfile {
  /** From serverless.yml (the function's memorySize, else the provider's). */
  readonly memoryMb: number;
  /** Wall time per `durationPer`, measured (see `measuredBy`). */
  readonly durationMs: number;
  readonly durationPer: DurationBasis;
  /** Which figures of which bench result, or why none. */
  readonly measuredBy: string;
}

/** The functions the model bills per event. */
export const costedFunctions = [
  'webhook-receive',
  'webhook-process',
  'webhook-sample-downstream',
  'documents-api',
  'document-process',
] as const;
export type CostedFunction = (typeof costedFunctions)[number];

/** What the stack is made of, as far as its bill goes. Generated: src/cost/profile.generated.json. */
export interface CostProfile {
  readonly functions: Readonly<Record<CostedFunction, FunctionProfile>>;
  /** webhook-process's SQS event source (serverless/webhooks.yml). */
  readonly webhookBatch: { readonly batchSize: number; readonly maximumBatchingWindowSeconds: number };
  /** SQS queues polled by a Lambda event source mapping (each long-polls when idle). */
  readonly polledQueues: number;
  /** Functions every webhook is routed to (routes matching any source and type, webhook-routes.json). */
  readonly routedToEveryWebhook: readonly string[];
  /** The webhook body size the benchmarks send, in bytes (archived and queued once each). */
  readonly webhookBodyBytes: number;
  /** provider.tracing.lambda: X-Ray traces are recorded. */
  readonly tracing: boolean;
}

/** One price of prices.json. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly note: string;
  readonly source: string;
}

export interface PriceList {
  readonly asOf: string;
  readonly region: string;
  readonly prices: Readonly<Record<PriceName, Price>>;
}

export const priceNames = [
  'apiGatewayHttpRequest',
  'lambdaRequest',
  'lambdaArmGbSecond',
  'sqsStandardRequest',
  's3PutRequest',
  's3GetRequest',
  's3StandardGbMonth',
  'dynamoDbWriteRequestUnit',
  'cloudWatchLogsIngestGb',
  'xRayTraceRecorded',
] as const;
export type PriceName = (typeof priceNames)[number];
