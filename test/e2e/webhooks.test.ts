import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseWebhookArchive } from '../../src/webhooks/archive';
import { contentDeliveryId } from '../../src/webhooks/delivery';
import { serialiseWebhookMessage } from '../../src/webhooks/message';
import { signStandard } from '../../src/webhooks/senders';
import { postGithubPush } from '../helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';

jest.setTimeout(180_000);
const run = promisify(execFile);
const secrets = {
  github: 'e2e github secret',
  standard: `whsec_${Buffer.from('e2e standard key').toString('base64')}`,
};
let stack: LocalStackProcess;
let workDir: string;
let stateFile: string;

beforeAll(async () => {
  stack = await startLocalStack({
    env: { WEBHOOK_SECRET_GITHUB: secrets.github, WEBHOOK_SECRET_STANDARD: secrets.standard },
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

async function archived(key: string) {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: stack.state.emulators.s3.endpoint,
    forcePathStyle: true,
    credentials: stack.state.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    return parseWebhookArchive(await object.Body!.transformToString());
  } finally {
    s3.destroy();
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const unknown = await fetch(`${stack.state.http.url}/webhooks/gitlab`, { method: 'POST', headers, body });
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

  it('answers 503 while the queue is down (the provider will retry)', async () => {
    process.kill(stack.state.emulators.sqs.pid, 'SIGKILL');
    const response = await postGithub('e2e-outage', '{"outage":true}');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
