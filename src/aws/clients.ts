import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { loadConfig } from '../config';

/*
 * One factory for every SDK v3 client, so retries, timeouts and endpoints are decided once. An endpoint
 * comes from the standard AWS_ENDPOINT_URL_<SERVICE> variable when it is set (unset in AWS); with an
 * explicit endpoint the SQS client sends to it rather than to the host named in a queue URL, as the SDK
 * does for any configured endpoint.
 */

/** Bounded: the SDK retries throttles and 5xx itself; past this the error reaches our mapping. */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 3_000;
/** Idle-socket bound; above SQS long polling's 20 s so ReceiveMessage with WaitTimeSeconds=20 survives. */
const SOCKET_TIMEOUT_MS = 25_000;

interface SharedClientOptions {
  region: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  requestHandler: {
    connectionTimeout: number;
    socketTimeout: number;
    httpAgent: { keepAlive: boolean };
    httpsAgent: { keepAlive: boolean };
  };
}

/** The options every client shares: region from AWS_REGION, adaptive retries (client-side rate limiting on throttles), timeouts, keep-alive. */
export function sharedClientOptions(env: NodeJS.ProcessEnv = process.env): SharedClientOptions {
  return {
    region: loadConfig(['AWS_REGION'], env).AWS_REGION,
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      httpAgent: { keepAlive: true },
      httpsAgent: { keepAlive: true },
    },
  };
}

/** A new S3 client (AWS_ENDPOINT_URL_S3 honoured). */
export function createS3Client(
  overrides: S3ClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  const { AWS_ENDPOINT_URL_S3: endpoint } = loadConfig(['AWS_ENDPOINT_URL_S3'], env);
  return new S3Client({ ...sharedClientOptions(env), ...(endpoint ? { endpoint } : {}), ...overrides });
}

/** A new SQS client (AWS_ENDPOINT_URL_SQS honoured). */
export function createSqsClient(
  overrides: SQSClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): SQSClient {
  const { AWS_ENDPOINT_URL_SQS: endpoint } = loadConfig(['AWS_ENDPOINT_URL_SQS'], env);
  return new SQSClient({ ...sharedClientOptions(env), ...(endpoint ? { endpoint } : {}), ...overrides });
}

/** A new DynamoDB client (AWS_ENDPOINT_URL_DYNAMODB honoured). */
export function createDynamoDbClient(
  overrides: DynamoDBClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBClient {
  const { AWS_ENDPOINT_URL_DYNAMODB: endpoint } = loadConfig(['AWS_ENDPOINT_URL_DYNAMODB'], env);
  return new DynamoDBClient({ ...sharedClientOptions(env), ...(endpoint ? { endpoint } : {}), ...overrides });
}

/** A new Lambda client (AWS_ENDPOINT_URL_LAMBDA honoured, e.g. serverless-offline's :3002). */
export function createLambdaClient(
  overrides: LambdaClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): LambdaClient {
  const { AWS_ENDPOINT_URL_LAMBDA: endpoint } = loadConfig(['AWS_ENDPOINT_URL_LAMBDA'], env);
  return new LambdaClient({ ...sharedClientOptions(env), ...(endpoint ? { endpoint } : {}), ...overrides });
}

let s3: S3Client | undefined;
let sqs: SQSClient | undefined;
let dynamoDb: DynamoDBClient | undefined;
let lambda: LambdaClient | undefined;

/** The process-wide S3 client (created on first use, then reused across invocations). */
export function getS3Client(): S3Client {
  return (s3 ??= createS3Client());
}

/** The process-wide SQS client. */
export function getSqsClient(): SQSClient {
  return (sqs ??= createSqsClient());
}

/** The process-wide DynamoDB client. */
export function getDynamoDbClient(): DynamoDBClient {
  return (dynamoDb ??= createDynamoDbClient());
}

/** The process-wide Lambda client. */
export function getLambdaClient(): LambdaClient {
  return (lambda ??= createLambdaClient());
}

/** Forgets the memoised clients (tests that change AWS_ENDPOINT_URL_* between cases). */
export function resetClients(): void {
  for (const client of [s3, sqs, dynamoDb, lambda]) client?.destroy();
  s3 = sqs = dynamoDb = lambda = undefined;
}
