import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { EmulatorClients } from '../../plugins/local-stack/emulator-clients';
import { clientsOfStack } from '../helpers/emulators';
import { parseFixtureLine } from '../fixtures/functions/fixture-line';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { localToken } from '../helpers/local-tokens';

jest.setTimeout(90_000);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface InvokeResult {
  exitCode: number;
  output: string;
  /** The handler's result, as `sls invoke local` prints it. */
  response: { statusCode: number; body: string } | undefined;
}

/**
 * Runs `sls invoke local -f health -p events/health-integrations.json --stage local` with `env` added (the
 * sample event carries an operator's verified claims, as API Gateway would pass them).
 */
function invokeHealthLocally(env: Record<string, string>): Promise<InvokeResult> {
  const serviceDir = join(__dirname, '..', '..');
  return new Promise((resolve) => {
    execFile(
      join(serviceDir, 'node_modules', '.bin', 'sls'),
      ['invoke', 'local', '-f', 'health', '-p', 'events/health-integrations.json', '--stage', 'local'],
      { cwd: serviceDir, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const json = stdout.slice(stdout.indexOf('{'));
        let response: InvokeResult['response'];
        try {
          response = JSON.parse(json) as InvokeResult['response'];
        } catch {
          response = undefined;
        }
        resolve({ exitCode: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}`, response });
      },
    );
  });
}

const fixtureLine = (fn: string, id: string) => (line: string) => {
  const parsed = parseFixtureLine(line);
  return parsed?.fn === fn && parsed.id === id;
};

describe('npm start (the whole local stack, over real sockets)', () => {
  let stack: LocalStackProcess;
  let clients: EmulatorClients;

  beforeAll(async () => {
    // HEALTH_CACHE_SECONDS=0: the integrations report must see the emulator killed below at once.
    stack = await startLocalStack({
      fixtures: true,
      env: { INTAKE_FUNCTION_CONCURRENCY: '2', HEALTH_CACHE_SECONDS: '0' },
    });
    clients = clientsOfStack(stack.state);
  });

  afterAll(async () => {
    clients?.destroy();
    if (stack) await stack.stop().catch(() => undefined);
  });

  const url = (path: string) => `${stack.state.http.url}${path}`;
  const bucket = () =>
    stack.state.resources.buckets.find((item) => item.logicalId === 'DocumentsBucket')!.name;
  const fixtureQueueUrl = () =>
    stack.state.resources.queues.find((item) => item.logicalId === 'FixtureQueue')!.url;

  it('answers GET /health with 200 once ready', async () => {
    const response = await fetch(url('/health'));
    expect(response.status).toBe(200);
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const response = await fetch(url('/no/such/route'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/json/);
    const body = (await response.json()) as { error?: { code?: string } };
    expect(body.error?.code).toBeDefined();
  });

  it('delivers an object put under fixtures/ to the S3 fixture with its key decoded', async () => {
    const key = `fixtures/e2e ${Date.now()} ü.txt`;
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'hello' }));
    const line = parseFixtureLine(await stack.waitForLine(fixtureLine('s3-consumer', key)))!;
    expect(line.encodedKey).toContain('+');
    expect(line.size).toBe(5);
  });

  it('its S3 refuses unsigned and wrongly signed requests, as AWS does; the state file names the key it accepts', async () => {
    const { s3 } = stack.state.emulators;
    const list = await fetch(`${s3.endpoint}/${bucket()}?list-type=2`);
    expect(list.status).toBe(403);
    expect(await list.text()).toContain('<Code>AccessDenied</Code>');
    const put = await fetch(`${s3.endpoint}/${bucket()}/fixtures/unsigned.txt`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(403);
    const forger = new S3Client({
      region: stack.state.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: {
        ...stack.state.credentials,
        secretAccessKey: `${stack.state.credentials.secretAccessKey}-guess`,
      },
    });
    await expect(forger.send(new ListObjectsV2Command({ Bucket: bucket() }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    forger.destroy();
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket() }));
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(stack.lines.some(fixtureLine('s3-consumer', 'fixtures/unsigned.txt'))).toBe(false);
  });

  it('refuses a browser POST upload whose policy is not valid, as S3 does, and stores nothing', async () => {
    const { s3 } = stack.state.emulators;
    expect(s3.postPolicy).toBe('enforced');
    const form = new FormData();
    form.append('key', 'fixtures/forged.txt');
    form.append(
      'policy',
      Buffer.from('{"expiration":"2000-01-01T00:00:00Z","conditions":[]}').toString('base64'),
    );
    form.append('x-amz-algorithm', 'AWS4-HMAC-SHA256');
    form.append('x-amz-credential', 'local/20000101/us-east-1/s3/aws4_request');
    form.append('x-amz-date', '20000101T000000Z');
    form.append('x-amz-signature', '00');
    form.append('file', new Blob(['forged']), 'forged.txt');
    const response = await fetch(`${s3.endpoint}/${bucket()}`, { method: 'POST', body: form });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.lines.some(fixtureLine('s3-consumer', 'fixtures/forged.txt'))).toBe(false);
  });

  it('delivers an SQS message to the SQS fixture', async () => {
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: fixtureQueueUrl(), MessageBody: JSON.stringify({ hello: 'e2e' }) }),
    );
    const line = parseFixtureLine(await stack.waitForLine(fixtureLine('sqs-consumer', MessageId!)))!;
    expect(line.failed).toBe(false);
  });

  it('runs at most INTAKE_FUNCTION_CONCURRENCY instances of a function: a burst waits its turn', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await fetch(url('/fixtures/instance?delayMs=200'));
        return { status: response.status, ...((await response.json()) as { instance: string }) };
      }),
    );
    expect(answers.map(({ status }) => status)).toEqual(Array(8).fill(200));
    const instances = new Set(answers.map(({ instance }) => instance));
    expect(instances.size).toBeLessThanOrEqual(2);
    // 8 runs of 200 ms on at most 2 instances: at least 4 rounds one after another.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 200);
  });

  it('queues an Event invoke from a function as Lambda does: 202, retried, then to its on-failure queue', async () => {
    const lambda = new LambdaClient({
      endpoint: stack.state.lambda.functionEndpoint,
      region: stack.state.region,
      credentials: stack.state.credentials,
      maxAttempts: 1,
    });
    const id = `async-${Date.now()}`;
    try {
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: 'intake-local-fixture-async-throws',
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify({ id })),
        }),
      );
      expect(answer.StatusCode).toBe(202);
    } finally {
      lambda.destroy();
    }
    const dlqUrl = stack.state.resources.queues.find(
      (item) => item.logicalId === 'FixtureDeadLetterQueue',
    )!.url;
    let record: { requestPayload?: { id?: string }; requestContext?: { approximateInvokeCount?: number } } =
      {};
    for (let attempt = 0; attempt < 40 && record.requestPayload?.id !== id; attempt++) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        const parsed = JSON.parse(message.Body!) as typeof record;
        if (parsed.requestPayload?.id === id) record = parsed;
      }
    }
    expect(record.requestContext?.approximateInvokeCount).toBe(2);
    expect(stack.lines.filter(fixtureLine('async-throws', id))).toHaveLength(2);
    // A handler that throws under an async invoke leaves offline standing.
    expect((await fetch(url('/health'))).status).toBe(200);
  });

  it('lets `sls invoke local --stage local` reach the running stack: health answers 200', async () => {
    const result = await invokeHealthLocally({ INTAKE_STATE_FILE: stack.stateFile });
    expect(result.output).not.toMatch(/credentials/i);
    expect(result.exitCode).toBe(0);
    expect(result.response?.statusCode).toBe(200);
    expect(JSON.parse(result.response!.body)).toMatchObject({ status: 'ok' });
  });

  it('answers GET /health/integrations/aws with 503 once the SQS emulator has died, and /health stays 200', async () => {
    const token = await localToken(stack.state, { sub: 'operator', scope: 'intake/admin' });
    const integrations = () =>
      fetch(url('/health/integrations/aws'), { headers: { authorization: `Bearer ${token}` } });
    expect((await integrations()).status).toBe(200);
    process.kill(stack.state.emulators.sqs.pid, 'SIGKILL');
    const response = await integrations();
    expect(response.status).toBe(503);
    expect(((await response.json()) as { failing: string[] }).failing).toContain('sqs');
    // Liveness makes no AWS call: the function is alive, whatever its dependencies do.
    expect((await fetch(url('/health'))).status).toBe(200);
  });

  it('exits on SIGINT within 15 s, freeing every port, leaving no emulator behind and printing no esbuild goroutine dump', async () => {
    const { emulators, http } = stack.state;
    const stopped = await stack.stop();
    expect(stopped.durationMs).toBeLessThan(15_000);
    expect(stack.lines.filter((line) => /goroutine|deadlock/.test(line))).toEqual([]);
    const ports = [
      emulators.s3.port,
      emulators.sqs.port,
      emulators.dynamodb.port,
      Number(new URL(http.url).port),
    ];
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    for (const { pid } of Object.values(emulators)) expect(processAlive(pid)).toBe(false);
  });

  it('lets `sls invoke local --stage local` answer 503 when no stack runs, without asking AWS', async () => {
    // The stack has stopped: its ports are free, and no state file describes a running stack.
    const { emulators, lambda } = stack.state;
    const result = await invokeHealthLocally({
      INTAKE_STATE_FILE: join(__dirname, 'no-such-stack.json'),
      INTAKE_S3_PORT: String(emulators.s3.port),
      INTAKE_SQS_PORT: String(emulators.sqs.port),
      INTAKE_DYNAMODB_PORT: String(emulators.dynamodb.port),
      INTAKE_LAMBDA_PORT: new URL(lambda.endpoint).port,
    });
    expect(result.output).not.toMatch(/credentials/i);
    expect(result.response?.statusCode).toBe(503);
    expect(JSON.parse(result.response!.body)).toMatchObject({
      failing: expect.arrayContaining(['s3', 'sqs']),
    });
  });
});
