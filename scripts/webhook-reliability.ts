/**
 * Reliability run (issue 4): signed deliveries over HTTP, spread over every scheme of the registry (one
 * source each, as .env.example configures it; each delivery built by the scheme's sender), 10% of them sent twice, while a share of queue
 * sends and downstream invokes fail (injected). Checks that every delivery answered 2xx is archived exactly
 * once and invoked downstream exactly once, that every 5xx delivery succeeds on retry, and that none is
 * lost. Real sockets on 127.0.0.1 only: the receiver behind a local HTTP server, fauxqs, s3rver, dynalite;
 * the worker is driven by the local stack's SQS event-source mapping. Bounded: it gives up after --timeout seconds.
 *
 *   npx tsx scripts/webhook-reliability.ts                      # full size: 5000 deliveries
 *   npx tsx scripts/webhook-reliability.ts --deliveries 500     # CI size
 *
 * Options: --deliveries N, --duplicates 0.1, --failure-rate 0.05, --concurrency 16, --timeout 600.
 * Exit code 0 only when nothing was lost or doubled. Writes bench/results/webhook-reliability.json.
 */
import '../test/helpers/middy-under-tsx';
import '../test/helpers/quiet';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { sqsDeadLetterQueue } from '../src/aws/sqs-dead-letter';
import { ServiceUnavailableError } from '../src/errors';
import { httpHandler } from '../src/middleware/http';
import { sqsBatchHandler } from '../src/middleware/sqs';
import { dynamoDbDeliveryGuards } from '../src/webhooks/idempotency';
import { createWebhookProcessor } from '../src/webhooks/processor';
import { createWebhookReceiver } from '../src/webhooks/receiver';
import { s3TextStore } from '../src/webhooks/s3-text';
import { createSigningKeyResolver, createSourceSettingResolver } from '../src/webhooks/signing-keys';
import { sqsMessageSender } from '../src/webhooks/sqs-sender';
import { startEmulators } from '../test/helpers/emulators';
import { serveHttpHandler } from '../test/helpers/http-server';
import { exampleEnvironment, webhookPipelineResources } from '../test/helpers/webhook-fixtures';
import { writeBenchResult } from '../bench/lib/results';
import { buildDelivery, loadLocalSources, sendingSourcePerScheme } from './lib/webhook-requests';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '5000' },
    duplicates: { type: 'string', default: '0.1' },
    'failure-rate': { type: 'string', default: '0.05' },
    concurrency: { type: 'string', default: '16' },
    timeout: { type: 'string', default: '600' },
  },
});
const deliveries = Number(values.deliveries);
const duplicateShare = Number(values.duplicates);
const failureRate = Number(values['failure-rate']);
const concurrency = Number(values.concurrency);
const deadline = Date.now() + Number(values.timeout) * 1000;

// One source per scheme of the registry, as .env.example's examples configure them: a scheme added to
// the registry (with its example lines) is included with no change here.
const local = loadLocalSources(exampleEnvironment());
const sending = sendingSourcePerScheme(local);
const now = () => Math.floor(Date.now() / 1000);

async function main(): Promise<void> {
  // maxReceiveCount high: injected failures are transient here, nothing should reach the DLQ.
  const resources = webhookPipelineResources({ visibilityTimeoutSeconds: 2, maxReceiveCount: 50 });
  const aws = await startEmulators();
  await aws.provision(resources.declared);
  const queue = aws.queue(resources.queue);
  const counts = { sendFailuresInjected: 0, invokeFailuresInjected: 0 };
  const archivePuts = new Map<string, number>();
  const invoked = new Map<string, number>();
  const store = s3TextStore(aws.s3, resources.bucket);
  const send = sqsMessageSender(aws.sqs, queue.url);

  const receiver = httpHandler(
    createWebhookReceiver({
      sources: local.sources,
      signingKeys: createSigningKeyResolver(),
      sourceSetting: createSourceSettingResolver(),
      nowMs: Date.now,
      maxBodyBytes: 1024 * 1024,
      sendMessage: async (text) => {
        if (Math.random() < failureRate) {
          counts.sendFailuresInjected++;
          throw new ServiceUnavailableError('injected queue failure', {
            service: 'SQS',
            operation: 'SendMessage',
          });
        }
        await send(text);
      },
      storeClaim: (key, text) => store.put(key, text, 'text/plain'),
      // What this run checks is the queue's exactly-once processing; the history is tested on its own.
      history: { recordReceived: async () => undefined },
    }),
  );
  const trace = new Map<string, string[]>();
  const note = (id: string, what: string) => trace.set(id, [...(trace.get(id) ?? []), what]);
  const processRecord = createWebhookProcessor({
    bucket: resources.bucket,
    storage: {
      get: (key) => store.get(key),
      put: async (key, text, contentType) => {
        await store.put(key, text, contentType);
        archivePuts.set(key, (archivePuts.get(key) ?? 0) + 1);
      },
    },
    routes: [{ source: '*', type: '*', function: 'downstream' }],
    dispatch: async (_target, payload) => {
      if (Math.random() < failureRate) {
        counts.invokeFailuresInjected++;
        throw new ServiceUnavailableError('injected invoke failure', {
          service: 'Lambda',
          operation: 'Invoke',
        });
      }
      const { id } = JSON.parse(payload) as { id: string };
      invoked.set(id, (invoked.get(id) ?? 0) + 1);
    },
    guards: dynamoDbDeliveryGuards({ tableName: resources.table, client: aws.dynamodb }),
  });
  const worker = () =>
    sqsBatchHandler(
      async (record, context) => {
        const id = /"id":"([^"]+)"/.exec(record.body)?.[1] ?? '?';
        try {
          const outcome = await processRecord(record, context);
          note(id, `ok(${record.attributes?.ApproximateReceiveCount})`);
          return outcome;
        } catch (error) {
          note(id, `${(error as Error).name}(${record.attributes?.ApproximateReceiveCount})`);
          throw error;
        }
      },
      { deadLetter: sqsDeadLetterQueue(aws.sqs, aws.queue(resources.deadLetterQueue).url) },
    );
  const http = await serveHttpHandler(receiver);
  const poller = aws.mapQueue({ queue, createHandler: worker, concurrency: 4 });

  // The plan: unique deliveries, round-robin over the schemes, 10% of them sent a second time (a
  // provider's resend), shuffled. Each is signed when sent (timestamped schemes go stale); its delivery id
  // is the receiver's own reading of it (a signed id, else the body's content id).
  const unique = Array.from({ length: deliveries }, (_, index) => {
    const source = sending[index % sending.length]!;
    const id = `${source.sender.idPrefix}${randomUUID()}`;
    const event = source.sender.defaultEvent;
    const body = source.sender.sampleBody(event, id, now());
    const build = () => buildDelivery(source, { id, event, body, nowSeconds: now() });
    const deliveryId = build().deliveryId;
    if (deliveryId === undefined)
      throw new Error(`The ${source.source.scheme} sample delivery has no usable id`);
    return { id: deliveryId, build };
  });
  const distinct = new Set(unique.map(({ id }) => id)).size;
  if (distinct !== deliveries)
    throw new Error(`${deliveries - distinct} sample deliveries share a delivery id`);
  const plan = [...unique, ...unique.filter(() => Math.random() < duplicateShare)].sort(
    () => Math.random() - 0.5,
  );
  const answers = { accepted: 0, answered5xx: 0, recoveredAfter5xx: 0, other: 0 };
  const acceptedIds = new Set<string>();
  let next = 0;
  const client = async () => {
    while (next < plan.length && Date.now() < deadline) {
      const delivery = plan[next++]!;
      let saw5xx = false;
      for (let attempt = 0; attempt < 20 && Date.now() < deadline; attempt++) {
        const request = delivery.build();
        const response = await fetch(
          `${http.url}${request.path}${request.query === '' ? '' : `?${request.query}`}`,
          { method: 'POST', headers: request.headers, body: new Uint8Array(request.body) },
        );
        await response.arrayBuffer();
        if (response.status === 202) {
          answers.accepted++;
          acceptedIds.add(delivery.id);
          if (saw5xx) answers.recoveredAfter5xx++;
          break;
        }
        if (response.status >= 500) {
          answers.answered5xx++;
          saw5xx = true;
          await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
        } else {
          answers.other++;
          break;
        }
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const postedMs = Date.now() - started;
  while (Date.now() < deadline && [...acceptedIds].some((id) => !invoked.has(id)))
    await new Promise((resolve) => setTimeout(resolve, 250));
  // Let late redeliveries show up as doubles if there were any.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await poller.stop();
  await http.close();

  let archivedObjects = 0;
  for (const source of sending) {
    let token: string | undefined;
    do {
      const page = await aws.s3.send(
        new ListObjectsV2Command({
          Bucket: resources.bucket,
          Prefix: `events/${source.source.name}/`,
          ContinuationToken: token,
        }),
      );
      archivedObjects += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
  }
  await aws.stop();

  const lostIds = unique
    .filter((delivery) => !acceptedIds.has(delivery.id) || !invoked.has(delivery.id))
    .map(({ id }) => id);
  for (const id of lostIds) {
    console.error(
      `lost ${id}: accepted ${acceptedIds.has(id)}, worker saw ${JSON.stringify(trace.get(id) ?? [])}`,
    );
  }
  const lost = lostIds.length;
  const invokedTwice = [...invoked.values()].filter((count) => count > 1).length;
  const archivedTwice = [...archivePuts.values()].filter((count) => count > 1).length;
  const figures = {
    deliveries,
    schemes: sending.map((source) => source.source.scheme).join(','),
    requests: plan.length,
    duplicatesSent: plan.length - deliveries,
    accepted: answers.accepted,
    answered5xx: answers.answered5xx,
    recoveredAfter5xx: answers.recoveredAfter5xx,
    otherAnswers: answers.other,
    sendFailuresInjected: counts.sendFailuresInjected,
    invokeFailuresInjected: counts.invokeFailuresInjected,
    archivedObjects,
    archivedTwice,
    invokedOnce: [...invoked.values()].filter((count) => count === 1).length,
    invokedTwice,
    lost,
    postSeconds: Math.round(postedMs / 100) / 10,
  };
  const pass =
    lost === 0 &&
    invokedTwice === 0 &&
    archivedTwice === 0 &&
    archivedObjects === deliveries &&
    answers.other === 0;
  writeBenchResult(
    'webhook-reliability',
    figures,
    { lost: '= 0', invokedTwice: '= 0', archivedTwice: '= 0', archivedObjects: `= ${deliveries}` },
    pass,
    `${deliveries} deliveries over ${sending.length} schemes (+${figures.duplicatesSent} resent), ${counts.sendFailuresInjected} send and ${counts.invokeFailuresInjected} invoke failures injected, ${answers.answered5xx} 5xx answers all retried: lost ${lost}, invoked twice ${invokedTwice}, archived twice ${archivedTwice}`,
  );
  process.exitCode = pass ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
