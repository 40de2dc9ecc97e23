import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface EmulatorEndpoints {
  s3: string;
  sqs: string;
  dynamodb: string;
}

export interface EmulatorClients {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  destroy(): void;
}

/**
 * SDK clients aimed at the local emulators themselves (not at whatever AWS_ENDPOINT_URL_* says), signing
 * with `credentials` (the local stack's: its state file names them), with the settings each emulator needs: path-style S3 without flexible checksums, SQS without queue-URL
 * endpoints (fauxqs URLs name hosts that do not resolve).
 */
export function createEmulatorClients(
  endpoints: EmulatorEndpoints,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): EmulatorClients {
  // A copy per client: the SDK writes its own bookkeeping into the credentials object it is given.
  const key = () => ({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
  const s3 = new S3Client({
    endpoint: endpoints.s3,
    region,
    credentials: key(),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqs = new SQSClient({
    endpoint: endpoints.sqs,
    region,
    credentials: key(),
    useQueueUrlAsEndpoint: false,
  });
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials: key() });
  return {
    s3,
    sqs,
    dynamodb,
    destroy() {
      s3.destroy();
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}
