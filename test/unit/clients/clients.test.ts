import { getDynamoDbDocumentClient } from '../../../src/aws/dynamodb-document-client';
import {
  createDynamoDbClient,
  createLambdaClient,
  createS3Client,
  createSqsClient,
  getDynamoDbClient,
  getLambdaClient,
  getS3Client,
  getSqsClient,
  resetClients,
  sharedClientOptions,
} from '../../../src/aws/clients';

const localEnv = {
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
  AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
  AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3002',
};

async function endpointOf(client: { config: { endpoint?: unknown } }): Promise<string | undefined> {
  const provider = client.config.endpoint as (() => Promise<{ hostname: string; port?: number }>) | undefined;
  if (!provider) return undefined;
  const endpoint = await provider();
  return `${endpoint.hostname}:${endpoint.port}`;
}

describe('sharedClientOptions', () => {
  it('takes the region from AWS_REGION, with adaptive bounded retries, timeouts and keep-alive', () => {
    expect(sharedClientOptions({ AWS_REGION: 'eu-central-1' })).toEqual({
      region: 'eu-central-1',
      retryMode: 'adaptive',
      maxAttempts: 3,
      requestHandler: expect.objectContaining({
        connectionTimeout: expect.any(Number),
        socketTimeout: expect.any(Number),
        httpAgent: { keepAlive: true },
        httpsAgent: { keepAlive: true },
      }),
    });
  });

  it('defaults the region to us-east-1 (local runs)', () => {
    expect(sharedClientOptions({}).region).toBe('us-east-1');
  });
});

describe('client factories', () => {
  it('S3 with AWS_ENDPOINT_URL_S3: that endpoint, and otherwise the settings it has in AWS', async () => {
    const s3 = createS3Client({}, localEnv);
    expect(s3.config.forcePathStyle).toBeFalsy();
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
    expect(await endpointOf(s3)).toBe('127.0.0.1:4569');
    expect(await s3.config.region()).toBe('eu-west-1');
    expect(await s3.config.maxAttempts()).toBe(3);
    s3.destroy();
  });

  it('S3 in AWS: virtual-hosted style and default checksums', async () => {
    const s3 = createS3Client({}, { AWS_REGION: 'eu-west-1' });
    expect(s3.config.forcePathStyle).toBeFalsy();
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    s3.destroy();
  });

  it('SQS with AWS_ENDPOINT_URL_SQS sends to that endpoint, whatever host a queue URL names', async () => {
    const sqs = createSqsClient({}, localEnv);
    expect(await endpointOf(sqs)).toBe('127.0.0.1:9324');
    sqs.destroy();
    const aws = createSqsClient({}, { AWS_REGION: 'eu-west-1' });
    expect(await endpointOf(aws)).toBeUndefined();
    aws.destroy();
  });

  it('DynamoDB and Lambda use their local endpoints when set, and none otherwise', async () => {
    const dynamoDb = createDynamoDbClient({}, localEnv);
    const lambda = createLambdaClient({}, localEnv);
    expect(await endpointOf(dynamoDb)).toBe('127.0.0.1:8000');
    expect(await endpointOf(lambda)).toBe('127.0.0.1:3002');
    expect(createDynamoDbClient({}, { AWS_REGION: 'eu-west-1' }).config.endpoint).toBeUndefined();
    expect(createLambdaClient({}, { AWS_REGION: 'eu-west-1' }).config.endpoint).toBeUndefined();
  });

  it('overrides win over the shared options', async () => {
    const s3 = createS3Client({ maxAttempts: 1, region: 'ap-south-1' }, localEnv);
    expect(await s3.config.maxAttempts()).toBe(1);
    expect(await s3.config.region()).toBe('ap-south-1');
  });
});

describe('memoised clients', () => {
  afterEach(() => resetClients());

  it('returns the same instance on every call until reset', () => {
    const first = [getS3Client(), getSqsClient(), getDynamoDbClient(), getLambdaClient()];
    const second = [getS3Client(), getSqsClient(), getDynamoDbClient(), getLambdaClient()];
    second.forEach((client, index) => expect(client).toBe(first[index]));
    resetClients();
    expect(getS3Client()).not.toBe(first[0]);
  });
});

describe('DynamoDB document client', () => {
  afterEach(() => resetClients());

  it('is built once over the shared DynamoDB client and follows it when the clients are reset', () => {
    const first = getDynamoDbDocumentClient();
    expect(getDynamoDbDocumentClient()).toBe(first);
    resetClients();
    expect(getDynamoDbDocumentClient()).not.toBe(first);
  });
});
