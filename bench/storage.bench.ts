/**
 * Storage library overhead (issue 5 figure): `put` / `getBytes` of 1 KB and 1 MB objects through
 * S3ObjectStorage against bare SDK v3 calls (PutObjectCommand, GetObjectCommand + transformToByteArray)
 * on the same local S3 (s3rver behind the local stack's SigV4 proxy, from the test harness), client and keys (both sides of a pair write, then read, the same key, so object
 * placement in the emulator cannot favour one). Calls interleave in pairs, the side going first alternating,
 * so drift on the shared machine hits both alike; the figure is the speed ratio (library ÷ bare) with the
 * order bias inside a pair cancelled (see compare). Target ≥ 0.9× for each. Talks only to 127.0.0.1; stops the emulator.
 *
 *   npx tsx bench/storage.bench.ts
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createS3Client } from '../src/aws/clients';
import { S3ObjectStorage } from '../src/aws/storage';
import { startEmulators } from '../test/helpers/emulators';
import { profileInProcess } from './lib/cpu-profile';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const TARGET_RATIO = 0.9;

interface Workload {
  name: string;
  bytes: number;
  /** Pairs of calls (one bare, one through the library) measured. */
  pairs: number;
}

const workloads: Workload[] = [
  { name: '1kb', bytes: 1024, pairs: 300 },
  { name: '1mb', bytes: 1024 * 1024, pairs: 150 },
];

type Operation = (index: number) => Promise<unknown>;

/** Seconds one call takes. */
async function timed(operation: Operation, index: number): Promise<number> {
  const started = process.hrtime.bigint();
  await operation(index);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Library ops/s ÷ bare ops/s from adjacent pairs of calls, bare first in half of them and library first
 * in the other half. The call going second in a pair is systematically faster or slower (the emulator is
 * still busy with the first), so the ratio is the geometric mean of the two orders' medians: that bias
 * cancels, and a burst of load from elsewhere spoils a pair, not the figure. Also each side's ops/s from
 * its median call time.
 */
async function compare(bare: Operation, library: Operation, pairs: number) {
  await bare(0); // warm sockets and code paths before measuring
  await library(0);
  const ratiosBareFirst: number[] = [];
  const ratiosLibraryFirst: number[] = [];
  const bareTimes: number[] = [];
  const libraryTimes: number[] = [];
  for (let index = 0; index < pairs; index += 1) {
    const bareFirst = index % 2 === 0;
    const first = await timed(bareFirst ? bare : library, index);
    const second = await timed(bareFirst ? library : bare, index);
    const [bareSeconds, librarySeconds] = bareFirst ? [first, second] : [second, first];
    bareTimes.push(bareSeconds);
    libraryTimes.push(librarySeconds);
    (bareFirst ? ratiosBareFirst : ratiosLibraryFirst).push(bareSeconds / librarySeconds);
  }
  return {
    ratio: Math.sqrt(median(ratiosBareFirst) * median(ratiosLibraryFirst)),
    bare: 1 / median(bareTimes),
    library: 1 / median(libraryTimes),
  };
}

async function main(): Promise<void> {
  const aws = await startEmulators({ services: ['s3'] });
  const client: S3Client = createS3Client({ credentials: aws.credentials }, aws.env);
  try {
    const Bucket = 'intake-bench-storage';
    await client.send(new CreateBucketCommand({ Bucket }));
    const storage = new S3ObjectStorage({ bucket: Bucket, client });
    const figures: Record<string, number> = {};
    const targets: Record<string, string> = {};
    let pass = true;

    for (const { name, bytes, pairs } of workloads) {
      const body = randomBytes(bytes);
      const put = await compare(
        (index) =>
          client.send(
            new PutObjectCommand({
              Bucket,
              Key: `${name}/${index}`,
              Body: body,
              ContentType: 'application/octet-stream',
            }),
          ),
        (index) => storage.put(`${name}/${index}`, body, { contentType: 'application/octet-stream' }),
        pairs,
      );
      const get = await compare(
        async (index) => {
          const output = await client.send(new GetObjectCommand({ Bucket, Key: `${name}/${index}` }));
          return output.Body!.transformToByteArray();
        },
        (index) => storage.getBytes(`${name}/${index}`),
        pairs,
      );
      for (const [operation, result] of [
        ['put', put],
        ['get', get],
      ] as const) {
        const key = `${operation}_${name}`;
        figures[`${key}_ratio`] = round2(result.ratio);
        figures[`${key}_bare_ops_per_s`] = round2(result.bare);
        figures[`${key}_library_ops_per_s`] = round2(result.library);
        targets[`${key}_ratio`] = `>= ${TARGET_RATIO}`;
        pass &&= result.ratio >= TARGET_RATIO;
      }
    }

    // Where the CPU went: one more library pass of each workload, profiled. The S3 emulator runs in this
    // process too, so its functions appear beside the library's.
    const { profile } = await profileInProcess(
      'bench (library calls + the in-process local S3)',
      async () => {
        for (const { name, bytes, pairs } of workloads) {
          const body = randomBytes(bytes);
          for (let index = 0; index < pairs / 3; index += 1) {
            await storage.put(`${name}/profiled-${index}`, body, { contentType: 'application/octet-stream' });
            await storage.getBytes(`${name}/profiled-${index}`);
          }
        }
      },
    );

    const summary = workloads
      .flatMap(({ name }) =>
        ['put', 'get'].map((operation) => `${operation} ${name} ${figures[`${operation}_${name}_ratio`]}×`),
      )
      .join(', ');
    writeBenchResult(
      'storage',
      figures,
      targets,
      pass,
      `library vs bare SDK on the local S3: ${summary} (target ≥ ${TARGET_RATIO}×)`,
      [profile],
    );
  } finally {
    client.destroy();
    await aws.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
