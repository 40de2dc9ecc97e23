/**
 * webhook-receive throughput through serverless-offline over HTTP (issue 4 figure): autocannon, loopback,
 * signed POST /webhooks/github (verify + SQS send + 202) against a baseline under the same stack in the
 * same run. Target ≥ 0.7× the baseline's requests/s.
 *
 * Baseline: the bare `fixture-accepted` function (POST /fixtures/accepted, loaded with INTAKE_FIXTURES=true:
 * answers 202 with no middleware and no AWS call), posted the same body and headers, so the ratio is what
 * webhook-receive costs on top of serverless-offline itself. The catch-all `not-found` function (the shared
 * middleware stack, no AWS call) is measured too, for context. Rounds interleave (bare, not-found, receive,
 * bare…) to cancel drift on a shared machine. What bounds the receiver — one SendMessage to the SQS emulator
 * per request — is measured in the same run too: fauxqs SendMessage/s, as many at a time as autocannon's
 * connections, on a queue of its own; `emulator_bound_ratio` is that rate over the baseline's, the highest
 * ratio any receiver that queues before answering could reach on this machine.
 *
 *   npx tsx bench/webhook-throughput.bench.ts [seconds per round = 8] [rounds = 3]
 */
import '../test/helpers/quiet';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import autocannon from 'autocannon';
import { signGithub } from '../src/webhooks/signature/sign';
import { startLocalStack } from '../test/helpers/local-stack-process';
import { clientsOfStack } from '../test/helpers/emulators';
import type { LocalStackState } from '../plugins/local-stack/state';
import { measureStackCpu } from './lib/process-cpu';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const SECONDS = Math.max(3, Number(process.argv[2] ?? 8));
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
const CONNECTIONS = 20;
const secret = 'throughput bench secret';

async function requestsPerSecond(
  url: string,
  options: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<{ rps: number; total: number; non2xx: number; errors: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: options.method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** SendMessage/s of the stack's SQS emulator, CONNECTIONS at a time, on a queue made for the purpose. */
async function queueSendsPerSecond(state: LocalStackState, body: string): Promise<number> {
  const clients = clientsOfStack(state);
  const { sqs } = clients;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-capacity-${Date.now()}` }));
  try {
    const count = 2000;
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next++ < count) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      }),
    );
    return round2(count / ((Date.now() - started) / 1000));
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    clients.destroy();
  }
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    fixtures: true,
    env: { WEBHOOK_SECRET_GITHUB: secret, POWERTOOLS_LOG_LEVEL: 'WARN' },
    timeoutMs: 120_000,
  });
  try {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      commits: [{ id: 'abc', message: 'bench' }],
      pusher: { name: 'bench' },
    });
    const webhook = {
      method: 'POST' as const,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'bench-throughput',
        ...signGithub(secret, body),
      },
      body,
    };
    const { url } = stack.state.http;
    // Warm all three (worker threads start on first use).
    await requestsPerSecond(`${url}/fixtures/accepted`, webhook);
    await requestsPerSecond(`${url}/bench-baseline`, { method: 'GET' });
    await requestsPerSecond(`${url}/webhooks/github`, webhook);
    const ratios: number[] = [];
    const baseline: number[] = [];
    const notFound: number[] = [];
    const receive: number[] = [];
    const receiveCpu: Record<string, number> = {};
    let receiveRequests = 0;
    let receiveNon2xx = 0;
    let baselineNon2xx = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const base = await requestsPerSecond(`${url}/fixtures/accepted`, webhook);
      const middleware = await requestsPerSecond(`${url}/bench-baseline`, { method: 'GET' });
      const { result: ours, cpuSeconds } = await measureStackCpu('autocannon', () =>
        requestsPerSecond(`${url}/webhooks/github`, webhook),
      );
      for (const [name, seconds] of Object.entries(cpuSeconds))
        receiveCpu[name] = (receiveCpu[name] ?? 0) + seconds;
      receiveRequests += ours.total;
      receiveNon2xx += ours.non2xx + ours.errors;
      baselineNon2xx += base.non2xx + base.errors;
      baseline.push(base.rps);
      notFound.push(middleware.rps);
      receive.push(ours.rps);
      ratios.push(ours.rps / base.rps);
    }
    const queueSends = await queueSendsPerSecond(stack.state, body);
    const ratio = round2(median(ratios));
    const figures = {
      receive_rps: round2(median(receive)),
      baseline_bare_202_rps: round2(median(baseline)),
      not_found_rps: round2(median(notFound)),
      ratio,
      receive_non2xx: receiveNon2xx,
      // Where a receive request's CPU goes (serverless-offline with its workers, the emulators, autocannon).
      ...Object.fromEntries(
        Object.entries(receiveCpu).map(([name, seconds]) => [
          `receive_cpu_ms_per_request_${name}`,
          round2((seconds * 1000) / Math.max(receiveRequests, 1)),
        ]),
      ),
      baseline_non2xx: baselineNon2xx,
      emulator_sqs_sends_per_second: queueSends,
      // No receiver can answer 202 faster than the queue takes its one message: the ratio's ceiling here.
      emulator_bound_ratio: round2(queueSends / median(baseline)),
      connections: CONNECTIONS,
      seconds_per_round: SECONDS,
      rounds: ROUNDS,
    };
    const pass = ratio >= 0.7 && receiveNon2xx === 0 && baselineNon2xx === 0;
    writeBenchResult(
      'webhook-throughput',
      figures,
      { ratio: '>= 0.7 (vs the bare 202 fixture function)', receive_non2xx: '= 0' },
      pass,
      `webhook-receive ${figures.receive_rps} req/s vs bare 202 ${figures.baseline_bare_202_rps} req/s = ${ratio}× (target ≥ 0.7×; not-found ${figures.not_found_rps} req/s; fauxqs alone ${queueSends} sends/s = ${figures.emulator_bound_ratio}× the bare 202, the ceiling of the ratio here), ${receiveNon2xx} non-2xx`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
