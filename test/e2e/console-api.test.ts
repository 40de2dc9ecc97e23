/**
 * The console's API on the real `npm start`: the admin scope guards every route (401 without a token, 403
 * with a documents-only one), and with an admin token each view answers 200 with the contract's shape
 * (src/console/api-types.ts), a delivery sent through the stack included.
 */
import type {
  ActivityAnswer,
  ControlsAnswer,
  CostAnswer,
  DeadLettersAnswer,
  DeliveriesAnswer,
  DeliveryAnswer,
  DocumentsAnswer,
  HealthAnswer,
  QueuesAnswer,
  RedriveAnswer,
  ReplayAnswer,
} from '../../src/console/api-types';
import { postGithubPush } from '../helpers/github-push';
import { startLocalStack, type LocalStackProcess } from '../helpers/local-stack-process';
import { localToken } from '../helpers/local-tokens';

jest.setTimeout(180_000);
const githubSecret = 'e2e console github secret';
let stack: LocalStackProcess;
let admin: Record<string, string>;

beforeAll(async () => {
  stack = await startLocalStack({ env: { WEBHOOK_SECRET_GITHUB: githubSecret }, timeoutMs: 120_000 });
  admin = {
    authorization: `Bearer ${await localToken(stack.state, { sub: 'operator', scope: 'intake/admin' })}`,
  };
});
afterAll(async () => {
  await stack?.stop();
});

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${stack.state.http.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function ok<T>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const response = await call(method, path, admin, body);
  const text = await response.text();
  expect({ path, status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('cache-control')).toBe('no-store');
  return JSON.parse(text) as T;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the console API through npm start', () => {
  it('answers 401 without a token and 403 with a documents-only token', async () => {
    const anonymous = await call('GET', '/console/api/deliveries');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: 'Unauthorized' });
    const reader = await localToken(stack.state, { sub: 'alice', scope: 'documents/read documents/write' });
    const forbidden = await call('GET', '/console/api/queues', { authorization: `Bearer ${reader}` });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Forbidden' });
  });

  it('shows a delivery sent through the stack, with its payload, and replays it', async () => {
    const sent = await postGithubPush(
      stack.state.http.url,
      githubSecret,
      'console-e2e-1',
      '{"ref":"main","token":"t"}',
    );
    expect(sent.status).toBe(202);
    const list = await until(
      () => ok<DeliveriesAnswer>('GET', '/console/api/deliveries?source=github&limit=10'),
      (answer) =>
        answer.items.some((item) => item.providerId === 'console-e2e-1' && item.status === 'processed'),
    );
    // GitHub's delivery header is the provider's id; the delivery id is derived from the content.
    const delivery = list.items.find((item) => item.providerId === 'console-e2e-1')!;
    expect(delivery).toMatchObject({ source: 'github', type: 'push', status: 'processed' });

    const detail = await ok<DeliveryAnswer>('GET', `/console/api/deliveries/${delivery.receipt}`);
    expect(detail.delivery.receipt).toBe(delivery.receipt);
    expect(JSON.parse(detail.payload!.text)).toEqual({ ref: 'main', token: '[redacted]' });

    const replay = await ok<ReplayAnswer>(
      'POST',
      `/console/api/deliveries/${delivery.receipt}/replay`,
      undefined,
      202,
    );
    expect(replay).toMatchObject({ matched: 1, enqueued: 1, replayId: expect.stringMatching(/^replay-/) });
    // The copy is a receipt of its own, which the worker then processes again.
    const copies = await until(
      () => ok<DeliveriesAnswer>('GET', '/console/api/deliveries?source=github&limit=10'),
      (answer) => answer.items.some((item) => item.replay === replay.replayId && item.status !== 'queued'),
    );
    const copy = copies.items.find((item) => item.replay === replay.replayId);
    expect(copy).toMatchObject({ id: delivery.id });
    expect(copy!.receipt).not.toBe(delivery.receipt);
    expect(copy!.status).not.toBe('queued');
  });

  it('answers every other view with its shape', async () => {
    const queues = await ok<QueuesAnswer>('GET', '/console/api/queues');
    expect(queues.queues.map((queue) => queue.name)).toEqual(['webhooks', 'documents', 'scan-results']);
    for (const queue of queues.queues) {
      expect(queue).toEqual({
        name: queue.name,
        visible: expect.any(Number),
        inFlight: expect.any(Number),
        deadLetters: expect.any(Number),
      });
    }
    const peek = await ok<DeadLettersAnswer>('GET', '/console/api/queues/webhooks/dead-letters');
    expect(peek).toEqual({ queue: 'webhooks', messages: expect.any(Array) });
    expect(await ok<RedriveAnswer>('POST', '/console/api/queues/documents/redrive', {})).toEqual({
      moved: 0,
      failed: 0,
    });
    expect(await ok<DocumentsAnswer>('GET', '/console/api/documents')).toMatchObject({
      items: expect.any(Array),
    });
    const health = await ok<HealthAnswer>('GET', '/console/api/health');
    expect(health.checks).toMatchObject({ s3: { latencyMs: expect.any(Number) }, sqs: expect.any(Object) });
    const activity = await ok<ActivityAnswer>('GET', '/console/api/activity?minutes=5');
    expect(activity.minutes).toHaveLength(5);
    const cost = await ok<CostAnswer>('GET', '/console/api/cost');
    expect(cost.traffic).toEqual({
      webhooks: expect.any(Number),
      documents: expect.any(Number),
      documentMb: expect.any(Number),
    });
    const controls = await ok<ControlsAnswer>('GET', '/console/api/controls');
    expect(controls.targets).toContainEqual({
      name: 'webhook-sample-downstream',
      maxConcurrency: expect.anything(),
    });
    const paused = await ok<ControlsAnswer>('PUT', '/console/api/controls/pause', { source: 'github' });
    expect(paused.pauses).toEqual([expect.objectContaining({ source: 'github', pausedBy: 'operator' })]);
    const resumed = await ok<ControlsAnswer>('PUT', '/console/api/controls/resume', { source: 'github' });
    expect(resumed.pauses).toEqual([]);
  });
});
