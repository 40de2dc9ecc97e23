import { readRunningStackState } from '../../plugins/local-stack/state';
import { resourceNames, SERVICE } from '../../serverless/names';

/** Where the operations scripts act: the webhooks queue, its DLQ, the archive bucket, and local endpoints. */
export interface OpsTarget {
  readonly stage: string;
  readonly region: string;
  /** Set for a local stack: the emulators' endpoints (the scripts export them as AWS_ENDPOINT_URL_*). */
  readonly endpoints?: { readonly s3: string; readonly sqs: string; readonly dynamodb?: string };
  /** Set for a local stack: the access key its S3 and queues accept (its state file names it). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly bucket?: string;
  /** Queue URLs when known (local state); else resolved by name from `queueName`/`dlqName`. */
  readonly queueUrl?: string;
  readonly dlqUrl?: string;
  readonly queueName: string;
  readonly dlqName: string;
  /** The delivery history table (named alike locally and deployed: serverless/names.js). */
  readonly deliveriesTable: string;
  /** The operators' pauses (named alike locally and deployed). */
  readonly webhookControlsTable: string;
}

/**
 * Resolves the target of `npm run replay` / `npm run redrive`: for stage `local` (the default) the running
 * `npm start` stack's state file (`INTAKE_STATE_FILE`, default `.intake/local-stack.json`) gives endpoints,
 * the access key its S3 accepts, bucket and queue URLs; for a deployed stage the queues are found by the
 * names serverless/names.js gives them (`intake-<stage>-webhooks[-dlq]`) and the bucket comes from DOCUMENTS_BUCKET. Throws an Error with a readable message when something is missing.
 */
export function resolveOpsTarget(stage: string, env: NodeJS.ProcessEnv, serviceDir: string): OpsTarget {
  const {
    webhooksQueue: queueName,
    webhooksDeadLetterQueue: dlqName,
    deliveriesTable,
    webhookControlsTable,
  } = resourceNames(SERVICE, stage);
  const region = env.AWS_REGION || 'us-east-1';
  if (stage !== 'local') {
    return {
      stage,
      region,
      queueName,
      dlqName,
      deliveriesTable,
      webhookControlsTable,
      ...(env.DOCUMENTS_BUCKET ? { bucket: env.DOCUMENTS_BUCKET } : {}),
    };
  }
  const state = readRunningStackState(env, serviceDir);
  const queue = (logicalId: string) =>
    state.resources.queues.find((candidate) => candidate.logicalId === logicalId);
  const bucket = state.resources.buckets.find((candidate) => candidate.logicalId === 'DocumentsBucket');
  const queueUrl = queue('WebhooksQueue')?.url;
  const dlqUrl = queue('WebhooksDeadLetterQueue')?.url;
  return {
    stage,
    region: state.region,
    endpoints: {
      s3: state.emulators.s3.endpoint,
      sqs: state.emulators.sqs.endpoint,
      // Optional: state files of stacks started before the history read no DynamoDB endpoint from here.
      ...(state.emulators.dynamodb ? { dynamodb: state.emulators.dynamodb.endpoint } : {}),
    },
    credentials: state.credentials,
    queueName,
    dlqName,
    deliveriesTable,
    webhookControlsTable,
    ...(bucket ? { bucket: bucket.name } : {}),
    ...(queueUrl ? { queueUrl } : {}),
    ...(dlqUrl ? { dlqUrl } : {}),
  };
}
