import type { OpsTarget } from './ops-target';

/** The environment for SDK clients aimed at `target`: its region, and for a local stack its emulators + dummy credentials. */
export function clientEnvironment(target: OpsTarget, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (target.endpoints === undefined) return { ...env, AWS_REGION: target.region };
  return {
    ...env,
    AWS_REGION: target.region,
    AWS_ENDPOINT_URL_S3: target.endpoints.s3,
    AWS_ENDPOINT_URL_SQS: target.endpoints.sqs,
    ...(target.endpoints.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: target.endpoints.dynamodb } : {}),
  };
}

/**
 * SDK client options for `target`: against a local stack, the access key its state file names (its S3
 * refuses any other, as AWS does); a deployed stage leaves credentials to the SDK's chain.
 */
export function clientOverrides(target: OpsTarget): {
  credentials?: { accessKeyId: string; secretAccessKey: string };
} {
  return target.credentials === undefined ? {} : { credentials: { ...target.credentials } };
}

/** A one-line progress display on a terminal (redrawn in place); silent when stderr is not a TTY. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): {
  update(text: string): void;
  done(): void;
} {
  let shown = false;
  return {
    update(text) {
      if (!stream.isTTY) return;
      stream.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}

/** A 20-cell bar for `done` of `total`. */
export function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(20, Math.round((done / total) * 20)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}
