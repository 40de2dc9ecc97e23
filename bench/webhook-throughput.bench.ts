/**
 * webhook-receive throughput through serverless-offline over HTTP (issue 14 figure 1): autocannon,
 * loopback, signed POST /webhooks/github (verify + SQS send + 202) against a function in the same stack
 * that does only the same SendMessage. Target ≥ 0.8× its requests/s.
 *
 * Baseline: the `fixture-send-message` function (POST /fixtures/send-message, loaded with
 * INTAKE_FIXTURES=true): webhook-receive's own SQS client and sender on the same queue, no middleware, no
 * signature check, then 202. Since the delivery history (issue 16) every accepted webhook makes two calls:
 * the target ratio is against `fixture-send-and-record` (the same SendMessage, then the same history
 * UpdateItem), which is what intake adds to the calls it must make; the ratio against SendMessage alone is
 * reported beside it (`ratio_vs_send_message_only`), and `history_write_ratio` is what the write costs the
 * bare calls. The bare 202 fixture (`fixture-accepted`) is measured too, for what serverless-offline alone
 * carries, and fauxqs's own SendMessage/s, as many at a time as autocannon's connections.
 *
 * The consumer's mapping is paused (INTAKE_PAUSED_SQS_MAPPINGS=webhook-process), so no figure includes
 * webhook-process draining the queue. Rounds interleave (send-message, receive, bare…) to cancel drift
 * on a shared machine; each round's CPU is read per process and per serverless-offline thread group
 * (bench/lib/process-cpu.ts): offline's main thread (HTTP server, event building), its worker threads (the
 * function measured in that round, nothing else), V8's threads (GC), and each emulator. Then a second,
 * shorter run under `--cpu-prof` names the top functions of each thread (the profiles in the result).
 *
 *   npx tsx bench/webhook-throughput.bench.ts [seconds per round = 8] [rounds = 3]
 */
import '../test/helpers/quiet';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import autocannon from 'autocannon';
import { signGithub } from '../src/webhooks/senders';
import { startLocalStack, type LocalStackProcess } from '../test/helpers/local-stack-process';
import { clientsOfStack } from '../test/helpers/emulators';
import type { LocalStackState } from '../plugins/local-stack/state';
import { measureStackCpu } from './lib/process-cpu';
import { writeBenchResult } from './lib/results';
import { profiledStackRun } from './lib/stack-profiles';
import { median, round2 } from './lib/stats';

const SECONDS = Math.max(3, Number(process.argv[2] ?? 8));
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
const CONNECTIONS = 20;
const TARGET_RATIO = 0.8;
const secret = 'throughput bench secret';
const stackEnv = {
  WEBHOOK_SECRET_GITHUB: secret,
  POWERTOOLS_LOG_LEVEL: 'WARN',
  INTAKE_PAUSED_SQS_MAPPINGS: 'webhook-process',
};

interface Round {
  rps: number;
  total: number;
  failed: number;
  cpuSeconds: Record<string, number>;
}

const body = JSON.stringify({
  ref: 'refs/heads/main',
  commits: [{ id: 'abc', message: 'bench' }],
  pusher: { name: 'bench' },
});
const request = {
  method: 'POST' as const,
  headers: {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': 'bench-throughput',
    ...signGithub(secret, body),
  },
  body,
};

async function round(url: string, seconds = SECONDS): Promise<Round> {
  const { result, cpuSeconds } = await measureStackCpu('autocannon', () =>
    autocannon({ url, connections: CONNECTIONS, duration: seconds, ...request }),
  );
  return {
    rps: result.requests.average,
    total: result.requests.total,
    failed: result.non2xx + result.errors + result.timeouts,
    cpuSeconds,
  };
}

/** SendMessage/s of the stack's SQS emulator, CONNECTIONS at a time, on a queue made for the purpose. */
async function queueSendsPerSecond(state: LocalStackState): Promise<number> {
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

/** Per request, in ms: each process or thread group's CPU over the rounds of one function. */
function cpuPerRequest(rounds: Round[], prefix: string): Record<string, number> {
  const requests = Math.max(
    rounds.reduce((sum, one) => sum + one.total, 0),
    1,
  );
  const seconds: Record<string, number> = {};
  for (const one of rounds)
    for (const [name, value] of Object.entries(one.cpuSeconds)) seconds[name] = (seconds[name] ?? 0) + value;
  const perRequest = Object.fromEntries(
    Object.entries(seconds).map(([name, value]) => [`${prefix}_${name}`, round2((value * 1000) / requests)]),
  );
  perRequest[`${prefix}_total`] = round2(
    (Object.values(seconds).reduce((sum, value) => sum + value, 0) * 1000) / requests,
  );
  return perRequest;
}

async function measure(stack: LocalStackProcess) {
  const { url } = stack.state.http;
  const urls = {
    sendMessage: `${url}/fixtures/send-message`,
    sendAndRecord: `${url}/fixtures/send-and-record`,
    receive: `${url}/webhooks/github`,
    bare: `${url}/fixtures/accepted`,
  };
  // Warm all three (worker threads start on first use, up to INTAKE_FUNCTION_CONCURRENCY each).
  for (const target of Object.values(urls)) await round(target, 3);
  const rounds: Record<keyof typeof urls, Round[]> = {
    sendMessage: [],
    sendAndRecord: [],
    receive: [],
    bare: [],
  };
  for (let index = 0; index < ROUNDS; index++)
    for (const key of Object.keys(urls) as (keyof typeof urls)[]) rounds[key].push(await round(urls[key]));
  return rounds;
}

/** A shorter run of the receiver alone under --cpu-prof: the top functions of each process and thread. */
function receiveProfiles() {
  return profiledStackRun({ fixtures: true, env: stackEnv, timeoutMs: 120_000 }, async (stack) => {
    await round(`${stack.state.http.url}/webhooks/github`, 3);
    await round(`${stack.state.http.url}/webhooks/github`, SECONDS);
  });
}

async function main(): Promise<void> {
  const stack = await startLocalStack({ fixtures: true, env: stackEnv, timeoutMs: 120_000 });
  let rounds: Awaited<ReturnType<typeof measure>>;
  let queueSends: number;
  try {
    rounds = await measure(stack);
    queueSends = await queueSendsPerSecond(stack.state);
  } finally {
    await stack.stop();
  }
  const profiles = await receiveProfiles();
  const rps = (key: keyof typeof rounds) => round2(median(rounds[key].map((one) => one.rps)));
  const ratioTo = (baseline: keyof typeof rounds, measured: keyof typeof rounds = 'receive') =>
    round2(median(rounds[measured].map((one, index) => one.rps / rounds[baseline][index]!.rps)));
  const ratio = ratioTo('sendAndRecord');
  const failed = (key: keyof typeof rounds) => rounds[key].reduce((sum, one) => sum + one.failed, 0);
  const figures: Record<string, number> = {
    receive_rps: rps('receive'),
    baseline_send_and_record_rps: rps('sendAndRecord'),
    baseline_send_message_rps: rps('sendMessage'),
    ratio,
    ratio_vs_send_message_only: ratioTo('sendMessage'),
    history_write_ratio: ratioTo('sendMessage', 'sendAndRecord'),
    bare_202_rps: rps('bare'),
    receive_failed: failed('receive'),
    baseline_failed: failed('sendMessage') + failed('sendAndRecord'),
    ...cpuPerRequest(rounds.receive, 'receive_cpu_ms_per_request'),
    ...cpuPerRequest(rounds.sendAndRecord, 'baseline_cpu_ms_per_request'),
    ...cpuPerRequest(rounds.sendMessage, 'send_message_only_cpu_ms_per_request'),
    ...cpuPerRequest(rounds.bare, 'bare_202_cpu_ms_per_request'),
    emulator_sqs_sends_per_second: queueSends,
    connections: CONNECTIONS,
    seconds_per_round: SECONDS,
    rounds: ROUNDS,
  };
  const pass = ratio >= TARGET_RATIO && figures.receive_failed === 0 && figures.baseline_failed === 0;
  writeBenchResult(
    'webhook-throughput',
    figures,
    {
      ratio: `>= ${TARGET_RATIO} (vs fixture-send-and-record: the same SendMessage and delivery history UpdateItem, same clients, nothing else)`,
      ratio_vs_send_message_only: 'reported (vs fixture-send-message: the SendMessage alone)',
      history_write_ratio: 'reported: send-and-record / send-message requests per second',
      receive_failed: '= 0',
      baseline_failed: '= 0',
    },
    pass,
    `webhook-receive ${figures.receive_rps} req/s vs SendMessage + history write ${figures.baseline_send_and_record_rps} req/s = ${ratio}× (target ≥ ${TARGET_RATIO}×; vs SendMessage alone ${figures.baseline_send_message_rps} req/s = ${figures.ratio_vs_send_message_only}×; bare 202 ${figures.bare_202_rps} req/s; fauxqs alone ${queueSends} sends/s); CPU per request ${figures.receive_cpu_ms_per_request_total} ms vs ${figures.baseline_cpu_ms_per_request_total} ms (offline workers ${figures.receive_cpu_ms_per_request_offline_workers} vs ${figures.baseline_cpu_ms_per_request_offline_workers}); ${figures.receive_failed} failed`,
    profiles,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
