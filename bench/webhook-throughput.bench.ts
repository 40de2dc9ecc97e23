/**
 * webhook-receive throughput through serverless-offline over HTTP (issue 4 figure): autocannon, loopback,
 * signed POST /webhooks/github (verify + SQS send + 202) against a baseline under the same stack in the
 * same run. Target ≥ 0.7× the baseline's requests/s.
 *
 * Baseline: the catch-all `not-found` function (same middleware stack, fixed answer, no AWS call): the
 * stack has no bare 202 function yet (asked of the local-stack owner: a fixture that returns 202), so
 * this baseline includes the shared middleware cost and the ratio isolates what webhook-receive adds.
 * Rounds interleave (baseline, receive, baseline, receive…) to cancel drift on a shared machine.
 *
 *   npx tsx bench/webhook-throughput.bench.ts [seconds per round = 8] [rounds = 3]
 */
import '../src/webhooks/testing/quiet';
import autocannon from 'autocannon';
import { signGithub } from '../src/webhooks/signature/sign';
import { startLocalStack } from '../test/helpers/local-stack-process';
import { writeBenchResult } from './lib/results';
import { median, round2 } from './lib/stats';

const SECONDS = Math.max(3, Number(process.argv[2] ?? 8));
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
const CONNECTIONS = 20;
const secret = 'throughput bench secret';

async function requestsPerSecond(
  url: string,
  options: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<{ rps: number; non2xx: number; errors: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: options.method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { rps: result.requests.average, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
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
    // Warm both (worker threads start on first use).
    await requestsPerSecond(`${stack.state.http.url}/bench-baseline`, { method: 'GET' });
    await requestsPerSecond(`${stack.state.http.url}/webhooks/github`, webhook);
    const ratios: number[] = [];
    const baseline: number[] = [];
    const receive: number[] = [];
    let receiveNon2xx = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const base = await requestsPerSecond(`${stack.state.http.url}/bench-baseline`, { method: 'GET' });
      const ours = await requestsPerSecond(`${stack.state.http.url}/webhooks/github`, webhook);
      receiveNon2xx += ours.non2xx + ours.errors;
      baseline.push(base.rps);
      receive.push(ours.rps);
      ratios.push(ours.rps / base.rps);
    }
    const ratio = round2(median(ratios));
    const figures = {
      receive_rps: round2(median(receive)),
      baseline_not_found_rps: round2(median(baseline)),
      ratio,
      receive_non2xx: receiveNon2xx,
      connections: CONNECTIONS,
      seconds_per_round: SECONDS,
      rounds: ROUNDS,
    };
    const pass = ratio >= 0.7 && receiveNon2xx === 0;
    writeBenchResult(
      'webhook-throughput',
      figures,
      { ratio: '>= 0.7 (vs the not-found function; a bare 202 fixture is pending)', receive_non2xx: '= 0' },
      pass,
      `webhook-receive ${figures.receive_rps} req/s vs not-found ${figures.baseline_not_found_rps} req/s = ${ratio}× (target ≥ 0.7×), ${receiveNon2xx} non-2xx`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
