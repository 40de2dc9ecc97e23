/**
 * The local JWT authorizer's cost per request (issue 10 figure), on the real `npm start` with the
 * fixture functions: GET /fixtures/authorized (the JWT authorizer, scope documents/read, a valid token)
 * against its twin GET /fixtures/open (same handler, no authorizer), with autocannon on 127.0.0.1, one
 * connection (latency, not throughput), in interleaved rounds whose order alternates so drift of a
 * shared machine falls on both. The JWKS is fetched during the warm-up, so the figure is the cached
 * path: signature check, claims, scopes. Figure: p50 latency (authorized) - p50 (open), in ms; target
 * <= 1 ms. Latencies come from autocannon's per-response times (sub-millisecond), not its histogram
 * (whole milliseconds).
 *
 *   npx tsx bench/local-authorizer.bench.ts [secondsPerRun=3] [rounds=6]
 */
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { startLocalStack, type LocalStackProcess } from '../test/helpers/local-stack-process';
import { localToken } from '../test/helpers/local-tokens';
import { writeBenchResult } from './lib/results';
import { profiledStackRun } from './lib/stack-profiles';
import { median, percentile, round2 } from './lib/stats';

const SECONDS = Math.max(1, Number(process.argv[2] ?? 3));
const ROUNDS = Math.max(2, Number(process.argv[3] ?? 6));
const TARGET_MS = 1;

interface Run {
  latenciesMs: number[];
  non2xx: number;
  errors: number;
}

/** One autocannon run of `SECONDS` on one connection; every response's latency in (fractional) ms. */
function measure(url: string, headers: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    const instance = autocannon({ url, connections: 1, duration: SECONDS, headers }, (error, result) => {
      if (error) reject(error);
      else resolve({ latenciesMs, non2xx: result.non2xx, errors: result.errors + result.timeouts });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latenciesMs.push(responseTime));
  });
}

const stackOptions = { fixtures: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' }, timeoutMs: 120_000 };

/** The twin routes, each with a valid token of the local issuer. */
async function twinRoutes(stack: LocalStackProcess) {
  const base = stack.state.http.url.replace(/\/$/, '');
  const token = await localToken(stack.state, { sub: 'bench', scope: 'documents/read', ttlSeconds: 3600 });
  return {
    authorized: { url: `${base}/fixtures/authorized`, headers: { authorization: `Bearer ${token}` } },
    open: { url: `${base}/fixtures/open`, headers: { authorization: `Bearer ${token}` } },
  };
}

async function main(): Promise<void> {
  const stack = await startLocalStack(stackOptions);
  try {
    const routes = await twinRoutes(stack);
    // Warm-up: worker instances of both functions, the JWKS in the verifier's cache.
    for (const route of Object.values(routes)) {
      for (let index = 0; index < 50; index += 1) {
        const response = await fetch(route.url, { headers: route.headers });
        if (response.status !== 200)
          throw new Error(`${route.url} answered ${response.status} in the warm-up`);
        await response.arrayBuffer();
      }
    }
    const samples = { authorized: [] as number[], open: [] as number[] };
    const roundDifferences: number[] = [];
    let failures = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['authorized', 'open'] as const) : (['open', 'authorized'] as const);
      const p50 = { authorized: 0, open: 0 };
      for (const name of order) {
        const run = await measure(routes[name].url, routes[name].headers);
        failures += run.non2xx + run.errors;
        samples[name].push(...run.latenciesMs);
        p50[name] = median(run.latenciesMs);
      }
      roundDifferences.push(p50.authorized - p50.open);
    }
    const authorizedP50 = median(samples.authorized);
    const openP50 = median(samples.open);
    const overheadP50 = authorizedP50 - openP50;
    const pass = failures === 0 && overheadP50 <= TARGET_MS;
    await stack.stop();
    // Where the CPU went: one run of each route on a profiled stack of its own.
    const profiles = await profiledStackRun(stackOptions, async (profiled) => {
      for (const route of Object.values(await twinRoutes(profiled))) await measure(route.url, route.headers);
    });
    writeBenchResult(
      'local-authorizer',
      {
        overheadP50Ms: round2(overheadP50),
        overheadP50MedianOfRoundsMs: round2(median(roundDifferences)),
        authorizedP50Ms: round2(authorizedP50),
        openP50Ms: round2(openP50),
        authorizedP90Ms: round2(percentile(samples.authorized, 90)),
        openP90Ms: round2(percentile(samples.open, 90)),
        authorizedRequests: samples.authorized.length,
        openRequests: samples.open.length,
        failedRequests: failures,
        rounds: ROUNDS,
        secondsPerRun: SECONDS,
        connections: 1,
        loadAverage1m: round2(loadavg()[0]!),
      },
      { overheadP50Ms: `<= ${TARGET_MS}`, failedRequests: '= 0' },
      pass,
      `JWT authorizer adds ${round2(overheadP50)} ms at p50 (${round2(authorizedP50)} vs ${round2(openP50)} ms, ${samples.authorized.length}+${samples.open.length} requests, JWKS cached)`,
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
