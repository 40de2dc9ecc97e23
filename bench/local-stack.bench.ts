/**
 * Local stack figures, on the real `npm start` (serverless-offline + emulators) with the fixture
 * functions loaded:
 *   - startup: spawn → GET /health answers 200 (target <= 10 s), against the floor of any sls command
 *     in the same run (`sls print --stage local`: framework load + config resolution);
 *   - S3 PUT under fixtures/ → the fixture function's receipt, median (target <= 200 ms), against the
 *     PUT's own round trip;
 *   - SQS SendMessage → the fixture consumer's receipt, median (target <= 200 ms), against the send's
 *     own round trip.
 * Talks only to 127.0.0.1 on free ports the helper picks; stops the stack (and its emulators) itself.
 *
 *   npx tsx bench/local-stack.bench.ts [deliveries=20]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { clientsOfStack } from '../test/helpers/emulators';
import { parseFixtureLine } from '../test/fixtures/functions/fixture-line';
import { startLocalStack } from '../test/helpers/local-stack-process';
import { writeBenchResult } from './lib/results';
import { profiledStackRun } from './lib/stack-profiles';
import { PROJECT_ROOT } from './lib/serverless-package';
import { median, percentile, round2 } from './lib/stats';

const DELIVERIES = Math.max(5, Number(process.argv[2] ?? 20));
const STARTUP_TARGET_MS = 10_000;
const DELIVERY_TARGET_MS = 200;
const DELIVERY_TIMEOUT_MS = 10_000;

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

function slsPrintMs(): number {
  const started = performance.now();
  const run = spawnSync(`${PROJECT_ROOT}/node_modules/.bin/sls`, ['print', '--stage', 'local'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`sls print failed: ${run.stderr}`);
  return performance.now() - started;
}

async function waitForHealth(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`GET ${url}/health did not answer 200 before the deadline`);
}

/** Sends `DELIVERIES` items one at a time; each waits for its fixture line. Returns send and delivery latencies. */
async function measureDeliveries(
  stack: Stack,
  fn: string,
  send: (index: number) => Promise<string>,
): Promise<{ sendMs: number[]; deliveryMs: number[] }> {
  const sendMs: number[] = [];
  const deliveryMs: number[] = [];
  for (let index = 0; index < DELIVERIES; index += 1) {
    const started = Date.now();
    const startedPrecise = performance.now();
    const id = await send(index);
    sendMs.push(performance.now() - startedPrecise);
    const line = await stack.waitForLine((text: string) => {
      const fixture = parseFixtureLine(text);
      return fixture?.fn === fn && fixture.id === id;
    }, DELIVERY_TIMEOUT_MS);
    const fixture = parseFixtureLine(String(line));
    if (!fixture) throw new Error(`no fixture line for ${fn} ${id}`);
    deliveryMs.push(fixture.receivedAt - started);
  }
  return { sendMs, deliveryMs };
}

async function main(): Promise<void> {
  const baselineMs = slsPrintMs();
  const spawned = Date.now();
  // The helper picks free ports, its own state file and build folder: no clash with a running stack.
  const stack = await startLocalStack({ fixtures: true, timeoutMs: 60_000 });
  try {
    const httpUrl = stack.state.http.url.replace(/\/$/, '');
    await waitForHealth(httpUrl, spawned + 60_000);
    const startupMs = Date.now() - spawned;

    const clients = clientsOfStack(stack.state);
    const { s3, sqs } = clients;
    const bucket = stack.state.resources.buckets.find((b) => b.logicalId === 'DocumentsBucket')?.name;
    const queueUrl = stack.state.resources.queues.find((q) => q.logicalId === 'FixtureQueue')?.url;
    if (!bucket || !queueUrl)
      throw new Error('the local stack has no DocumentsBucket or FixtureQueue (fixtures not loaded?)');

    const s3Run = await measureDeliveries(stack, 's3-consumer', async (index) => {
      const key = `fixtures/bench ${Date.now()}-${index}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `bench ${index}` }));
      return key;
    });
    const sqsRun = await measureDeliveries(stack, 'sqs-consumer', async (index) => {
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ bench: index }) }),
      );
      return sent.MessageId!;
    });
    clients.destroy();

    await stack.stop();
    // Where the CPU went, start-up included: a profiled stack of its own, health, then a few deliveries.
    const profiles = await profiledStackRun({ fixtures: true, timeoutMs: 60_000 }, async (profiled) => {
      await waitForHealth(profiled.state.http.url.replace(/\/$/, ''), Date.now() + 60_000);
      const profiledClients = clientsOfStack(profiled.state);
      try {
        for (let index = 0; index < 5; index += 1)
          await profiledClients.sqs.send(
            new SendMessageCommand({
              QueueUrl: profiled.state.resources.queues.find((q) => q.logicalId === 'FixtureQueue')!.url,
              MessageBody: JSON.stringify({ profiled: index }),
            }),
          );
      } finally {
        profiledClients.destroy();
      }
    });

    const s3Median = median(s3Run.deliveryMs);
    const sqsMedian = median(sqsRun.deliveryMs);
    const pass =
      startupMs <= STARTUP_TARGET_MS && s3Median <= DELIVERY_TARGET_MS && sqsMedian <= DELIVERY_TARGET_MS;
    writeBenchResult(
      'local-stack',
      {
        deliveries: DELIVERIES,
        startupToHealth200Ms: startupMs,
        helperReadyMs: stack.readyInMs,
        loadAverage1m: round2(loadavg()[0]!),
        slsPrintBaselineMs: round2(baselineMs),
        startupRatioVsSlsPrint: round2(startupMs / baselineMs),
        s3DeliveryMedianMs: round2(s3Median),
        s3DeliveryP90Ms: round2(percentile(s3Run.deliveryMs, 90)),
        s3PutMedianMs: round2(median(s3Run.sendMs)),
        s3DeliveryRatioVsPut: round2(s3Median / median(s3Run.sendMs)),
        sqsDeliveryMedianMs: round2(sqsMedian),
        sqsDeliveryP90Ms: round2(percentile(sqsRun.deliveryMs, 90)),
        sqsSendMedianMs: round2(median(sqsRun.sendMs)),
        sqsDeliveryRatioVsSend: round2(sqsMedian / median(sqsRun.sendMs)),
      },
      {
        startupToHealth200Ms: `<= ${STARTUP_TARGET_MS}`,
        s3DeliveryMedianMs: `<= ${DELIVERY_TARGET_MS}`,
        sqsDeliveryMedianMs: `<= ${DELIVERY_TARGET_MS}`,
      },
      pass,
      `health 200 after ${(startupMs / 1000).toFixed(1)} s (${round2(startupMs / baselineMs)}x sls print), S3→fn median ${round2(s3Median)} ms, SQS→fn median ${round2(sqsMedian)} ms over ${DELIVERIES} each`,
      profiles,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
