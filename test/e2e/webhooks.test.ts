import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseWebhookArchive } from '../../src/webhooks/archive';
import { contentDeliveryId } from '../../src/webhooks/delivery';
import type { DeliveryPage, DeliveryRecord } from '../../src/webhooks/history/delivery-history';
import { dynamoDbDeliveryHistory } from '../../src/webhooks/history/dynamodb-delivery-history';
import { serialiseWebhookMessage } from '../../src/webhooks/message';
import { schemes, type WebhookScheme } from '../../src/webhooks/schemes';
import { signStandard } from '../../src/webhooks/senders';
import {
  badlySigned,
  buildDelivery,
  handshakeFor,
  loadLocalSources,
  sendingSource,
} from '../../scripts/lib/webhook-requests';
import { sendRequest } from '../../scripts/send-webhook';
import { postGithubPush } from '../helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { exampleEnvironment } from '../helpers/webhook-fixtures';

jest.setTimeout(180_000);
const run = promisify(execFile);
// The stack runs every webhook source .env.example configures, with its example secrets and settings.
const local = loadLocalSources(exampleEnvironment());
const sending = [...local.sources.values()]
  .filter((source) => source.secrets?.kind === 'env')
  .map((source) => sendingSource(local, source.name));
const secrets = {
  github: sendingSource(local, 'github').secret,
  standard: sendingSource(local, 'standard').secret,
};
const nowSeconds = () => Math.floor(Date.now() / 1000);
let stack: LocalStackProcess;
let workDir: string;
let stateFile: string;

beforeAll(async () => {
  stack = await startLocalStack({
    // Pauses take effect at once and held deliveries are looked at again every second (default 5 s and 60 s).
    env: {
      ...local.receiverVariables,
      WEBHOOK_CONTROLS_CACHE_SECONDS: '0',
      WEBHOOK_PAUSE_RECHECK_SECONDS: '1',
    },
    timeoutMs: 120_000,
  });
  workDir = mkdtempSync(join(tmpdir(), 'intake-webhooks-e2e-'));
  stateFile = join(workDir, 'local-stack.json');
  writeFileSync(stateFile, JSON.stringify(stack.state));
});
afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const queue = (logicalId: string) =>
  stack.state.resources.queues.find((candidate) => candidate.logicalId === logicalId)!;
const bucket = () =>
  stack.state.resources.buckets.find((candidate) => candidate.logicalId === 'DocumentsBucket')!.name;
const downstreamLines = (id: string) =>
  stack.lines.filter((line) => line.startsWith('INTAKE_WEBHOOK_DOWNSTREAM') && line.includes(`"id":"${id}"`));
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '/');

const postGithub = (id: string, body: string, event = 'push') =>
  postGithubPush(stack.state.http.url, secrets.github, id, body, event);
/** GitHub does not sign X-GitHub-Delivery: intake's delivery id is the body's content id. */
const githubId = (body: string) => contentDeliveryId('github', body);
const firstBody = JSON.stringify({ ref: 'refs/heads/main', commits: [{ message: 'first' }] });

function s3Client() {
  return new S3Client({
    region: 'us-east-1',
    endpoint: stack.state.emulators.s3.endpoint,
    forcePathStyle: true,
    credentials: stack.state.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function archived(key: string) {
  const s3 = s3Client();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    return parseWebhookArchive(await object.Body!.transformToString());
  } finally {
    s3.destroy();
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The history record of the receipt with this provider id, once `ready` holds for it (or after `timeoutMs`). */
async function historyRecord(
  providerId: string,
  ready: (record: DeliveryRecord) => boolean,
  timeoutMs = 15_000,
): Promise<DeliveryRecord | undefined> {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: stack.state.emulators.dynamodb.endpoint,
    credentials: stack.state.credentials,
  });
  const table = stack.state.resources.tables.find((candidate) => candidate.logicalId === 'DeliveriesTable')!;
  const history = dynamoDbDeliveryHistory({ tableName: table.name, client });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { items } = await history.list({ source: 'github' }, { limit: 100 });
      const record = items.find((candidate) => candidate.providerId === providerId);
      if ((record && ready(record)) || Date.now() > deadline) return record;
      await settle(200);
    }
  } finally {
    client.destroy();
  }
}

/** The archive keys under `prefix`, once one ends with `/<id>.json` (or what is there after `timeoutMs`). */
async function archiveKeysOnce(prefix: string, id: string, timeoutMs: number): Promise<string[]> {
  const s3 = s3Client();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
      const keys = (page.Contents ?? []).map((object) => object.Key!);
      if (keys.some((key) => key.endsWith(`/${id}.json`)) || Date.now() > deadline) return keys;
      await settle(200);
    }
  } finally {
    s3.destroy();
  }
}

/** True when the source's scheme has a handshake its sender can make for the source's key. */
function hasHandshake(source: (typeof sending)[number]): boolean {
  const handshake = handshakeFor(source, { challenge: 'c', nowSeconds: nowSeconds() });
  return handshake !== undefined && !('notApplicable' in handshake);
}

// First in this file: each source's prefix under events/ holds only what these tests sent.
describe('every webhook source .env.example configures, through `npm start`', () => {
  it.each(
    sending.map(
      (source) =>
        [
          source.source.name,
          source.source.scheme,
          hasHandshake(source) ? 'its handshake is answered, never archived; ' : '',
          source,
        ] as const,
    ),
  )(
    '%s (%s): %sa bad signature is 401; a signed delivery is 202 and archived, alone',
    async (name, _scheme, _handshake, source) => {
      const base = stack.state.http.url;
      const handshake = handshakeFor(source, { challenge: randomUUID(), nowSeconds: nowSeconds() });
      if (handshake !== undefined && !('notApplicable' in handshake)) {
        const answer = await sendRequest(base, handshake);
        expect(handshake.check(answer.status, answer.text, answer.headers)).toBeUndefined();
      }
      const bad = badlySigned(source, buildDelivery(source, { nowSeconds: nowSeconds() }), nowSeconds());
      const refused = await sendRequest(base, bad);
      expect(refused.status).toBe(401);
      const delivery = buildDelivery(source, { nowSeconds: nowSeconds() });
      const accepted = await sendRequest(base, delivery);
      expect(accepted.status).toBe(202);
      expect(JSON.parse(accepted.text)).toEqual({ id: delivery.deliveryId });
      // Only the delivery is archived: not the handshake, not the refused copy.
      const keys = await archiveKeysOnce(`events/${name}/`, delivery.deliveryId!, 30_000);
      expect(keys).toEqual([
        expect.stringMatching(
          new RegExp(`^events/${name}/\\d{4}/\\d{2}/\\d{2}/${delivery.deliveryId}\\.json$`),
        ),
      ]);
    },
  );

  const withoutGetHandshake = sending.filter((source) => {
    const scheme: WebhookScheme = schemes[source.source.scheme];
    return !scheme.handshakeMethods?.includes('GET');
  });
  it.each(withoutGetHandshake.map((source) => [source.source.name, source.source.scheme] as const))(
    'GET /webhooks/%s (%s, no GET handshake) passes the public route and is answered 405 by webhook-receive',
    async (name) => {
      const response = await fetch(
        `${stack.state.http.url}/webhooks/${name}?hub.mode=subscribe&hub.challenge=1`,
      );
      expect(response.status).toBe(405);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    },
  );
});

describe('webhooks through `npm start`', () => {
  it('signed POST → 202 {id} → archived in S3 → the sample downstream is invoked once', async () => {
    const body = firstBody;
    const response = await postGithub('e2e-delivery-1', body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ id: githubId(body) });
    await stack.waitForLine((line) => downstreamLines(githubId(body)).includes(line), 30_000);
    expect(await archived(`events/github/${today()}/${githubId(body)}.json`)).toMatchObject({
      id: githubId(body),
      providerId: 'e2e-delivery-1',
      type: 'push',
      body,
    });
    await settle(1500);
    expect(downstreamLines(githubId(body))).toHaveLength(1);
    // Its delivery history record, written by the receiver (queued) and the worker (one attempt).
    const record = await historyRecord('e2e-delivery-1', ({ status }) => status === 'processed');
    expect(record).toMatchObject({
      source: 'github',
      type: 'push',
      id: githubId(body),
      status: 'processed',
      targets: { 'webhook-sample-downstream': 'invoked' },
      archiveKey: `events/github/${today()}/${githubId(body)}.json`,
    });
    expect(record!.attempts).toEqual([expect.objectContaining({ outcome: 'processed', receiveCount: 1 })]);
    // `npm run deliveries` reads the same record from the running stack.
    const { stdout } = await run(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/deliveries.ts', '--source', 'github', '--json'],
      { env: { ...process.env, INTAKE_STATE_FILE: stateFile } },
    );
    const listed = (JSON.parse(stdout) as DeliveryPage).items.find(
      ({ receipt }) => receipt === record!.receipt,
    );
    expect(listed).toMatchObject({ status: 'processed', providerId: 'e2e-delivery-1' });
  });

  it('accepts a Standard Webhooks delivery and answers bad or missing signatures 401, unknown sources 404', async () => {
    const body = '{"type":"user.created","data":{"id":1}}';
    const headers = {
      'content-type': 'application/json',
      ...signStandard(secrets.standard, 'msg_e2e_1', body, Math.floor(Date.now() / 1000)),
    };
    const ok = await fetch(`${stack.state.http.url}/webhooks/Standard`, { method: 'POST', headers, body });
    expect(ok.status).toBe(202);
    const tampered = await fetch(`${stack.state.http.url}/webhooks/standard`, {
      method: 'POST',
      headers,
      body: `${body} `,
    });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const unknown = await fetch(`${stack.state.http.url}/webhooks/no-such-source`, {
      method: 'POST',
      headers,
      body,
    });
    expect(unknown.status).toBe(404);
    await stack.waitForLine((line) => downstreamLines('msg_e2e_1').includes(line), 30_000);
  });

  it('the same signed body posted again, under new delivery ids and other event types, reaches the downstream function once', async () => {
    const body = '{"duplicate":true}';
    for (const [id, event] of [
      ['e2e-duplicate', 'push'],
      ['e2e-duplicate', 'push'],
      ['e2e-replayed-1', 'release'],
      ['e2e-replayed-2', 'deployment'],
    ] as const) {
      const response = await postGithub(id, body, event);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ id: githubId(body) });
    }
    await stack.waitForLine((line) => downstreamLines(githubId(body)).includes(line), 30_000);
    await settle(3000);
    expect(downstreamLines(githubId(body))).toHaveLength(1);
    expect(downstreamLines(githubId(body))[0]).toContain('"type":"push"');
  });

  it('a delivery in the DLQ is processed after `npm run redrive`', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: stack.state.emulators.sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: stack.state.credentials,
    });
    const message = serialiseWebhookMessage({
      meta: {
        v: 1,
        source: 'github',
        type: 'push',
        id: 'e2e-dead-letter',
        receivedAt: new Date().toISOString(),
        encoding: 'utf8',
        headers: {},
      },
      body: '{"from":"dlq"}',
    });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue('WebhooksDeadLetterQueue').url, MessageBody: message }),
    );
    sqs.destroy();
    const { stdout } = await run(process.execPath, [require.resolve('tsx/cli'), 'scripts/redrive.ts'], {
      env: { ...process.env, INTAKE_STATE_FILE: stateFile },
    });
    expect(stdout).toContain(
      'Redrove 1 message from intake-local-webhooks-dlq to intake-local-webhooks (send-then-delete)',
    );
    await stack.waitForLine((line) => downstreamLines('e2e-dead-letter').includes(line), 30_000);
  });

  it('`npm run replay` re-delivers an archived delivery to the downstream function', async () => {
    expect(downstreamLines(githubId(firstBody))).toHaveLength(1);
    const { stdout } = await run(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/replay.ts', '--source', 'github', '--id', githubId(firstBody)],
      {
        env: { ...process.env, INTAKE_STATE_FILE: stateFile },
      },
    );
    expect(stdout).toMatch(/enqueued 1 of \d+ archived github deliveries/);
    await stack.waitForLine(() => downstreamLines(githubId(firstBody)).length === 2, 30_000);
  });

  it('`npm run webhooks -- pause` holds a source on the queue, then a target, and each resume lets the delivery through once', async () => {
    const webhooks = (...args: string[]) =>
      run(process.execPath, [require.resolve('tsx/cli'), 'scripts/webhooks.ts', ...args], {
        env: { ...process.env, INTAKE_STATE_FILE: stateFile },
      });
    const isArchived = async (id: string) =>
      (await archiveKeysOnce(`events/github/${today()}/`, id, 0)).some((key) => key.endsWith(`/${id}.json`));

    // A paused source: accepted (202), neither archived nor routed while paused.
    expect((await webhooks('pause', '--source', 'github', '--reason', 'e2e')).stdout).toContain(
      'Paused: source github',
    );
    const heldBody = JSON.stringify({ held: randomUUID() });
    try {
      expect((await postGithub('e2e-paused-source', heldBody)).status).toBe(202);
      await settle(4000); // four rechecks
      expect(await isArchived(githubId(heldBody))).toBe(false);
      expect(downstreamLines(githubId(heldBody))).toHaveLength(0);
    } finally {
      expect((await webhooks('resume', '--source', 'github')).stdout).toContain('Resumed source github.');
    }
    await stack.waitForLine(() => downstreamLines(githubId(heldBody)).length === 1, 30_000);
    expect(await isArchived(githubId(heldBody))).toBe(true);

    // A paused target: archived at once, routed to the target only once it is resumed.
    await webhooks('pause', '--source', 'github', '--target', 'webhook-sample-downstream');
    const routedBody = JSON.stringify({ routed: randomUUID() });
    try {
      expect((await postGithub('e2e-paused-target', routedBody)).status).toBe(202);
      expect(await archiveKeysOnce(`events/github/${today()}/`, githubId(routedBody), 30_000)).toContainEqual(
        expect.stringContaining(githubId(routedBody)),
      );
      await settle(3000);
      expect(downstreamLines(githubId(routedBody))).toHaveLength(0);
    } finally {
      await webhooks('resume', '--source', 'github', '--target', 'webhook-sample-downstream');
    }
    await stack.waitForLine(() => downstreamLines(githubId(routedBody)).length === 1, 30_000);
    await settle(2500);
    expect(downstreamLines(githubId(heldBody))).toHaveLength(1);
    expect(downstreamLines(githubId(routedBody))).toHaveLength(1);
  });

  it('answers 503 while the queue is down (the provider will retry)', async () => {
    process.kill(stack.state.emulators.sqs.pid, 'SIGKILL');
    const response = await postGithub('e2e-outage', '{"outage":true}');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
