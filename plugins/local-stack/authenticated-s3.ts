import type { RunningEmulator } from './emulator-process';
import { EmulatorStartError, startEmulator } from './emulator-process';
import { startS3PostPolicyProxy } from './s3-proxy';
import type { PostCredentials } from './s3-proxy/post-signature';
import { unusedPort } from './unused-port';

export interface AuthenticatedS3Options {
  /** The public S3 port clients use; 0 lets the OS pick one (tests). */
  port: number;
  /** Every access key of the local account; the first is the one the state file names. */
  accessKeys: readonly PostCredentials[];
  /** The region requests must be signed for. */
  region: string;
  /** Keep objects in this folder across restarts; in memory when absent. */
  dataDir?: string;
  /** Called with each S3 notification s3rver emits. */
  onS3Event?: (event: unknown) => void;
  /** The proxy's clock for expiry and clock skew (tests). */
  now?: () => Date;
}

/**
 * The local S3 as clients see it. s3rver checks no signature and stores any presigned POST unchecked, so
 * it listens on an internal port behind the SigV4/POST-policy proxy (plugins/local-stack/s3-proxy),
 * which listens on the public port, authenticates every request and checks uploads as AWS does. Used by
 * `npm start` and by the tests' emulator harness, so both meet the same strict S3.
 */
export async function startAuthenticatedS3(options: AuthenticatedS3Options): Promise<RunningEmulator> {
  const s3rver = await startEmulator('s3', {
    port: await unusedPort(),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.onS3Event ? { onS3Event: options.onS3Event } : {}),
  });
  try {
    const proxy = await startS3PostPolicyProxy({
      listenPort: options.port,
      targetEndpoint: s3rver.endpoint,
      accessKeys: options.accessKeys,
      region: options.region,
      ...(options.now ? { now: options.now } : {}),
    });
    return {
      ...s3rver,
      port: proxy.port,
      endpoint: proxy.endpoint,
      postPolicy: 'enforced',
      stop: async () => {
        await proxy.stop();
        await s3rver.stop();
      },
    };
  } catch (error) {
    await s3rver.stop();
    const inUse = (error as { code?: string }).code === 'EADDRINUSE';
    throw new EmulatorStartError(
      's3',
      options.port,
      inUse ? `port ${options.port} is already in use` : String(error),
    );
  }
}
