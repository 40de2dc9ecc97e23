import { spawnSync } from 'node:child_process';

/** A bundle to load in a fresh node process, with a label for figures. */
export interface LoadTarget {
  label: string;
  /** Absolute path of a CommonJS bundle exporting `handler`; undefined = bare `node -e ''`. */
  bundlePath?: string;
}

/** One fresh process: wall time seen from outside, and the CPU time (user + system) it reports itself. */
export interface LoadTime {
  wallMs: number;
  cpuMs: number;
}

// Both scripts end by printing process.cpuUsage() (all of the process's threads since it started), so
// the bare run and the bundle runs carry the same tiny overhead and the difference is the load itself.
const REPORT_CPU = 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));';

/** Script a fresh node runs: load the bundle (module scope builds the handler), check the export, report CPU. */
export const loadScript = (bundlePath?: string): string =>
  bundlePath
    ? `const m = require(${JSON.stringify(bundlePath)}); if (typeof m.handler !== 'function') process.exit(3); ${REPORT_CPU}`
    : REPORT_CPU;

/** Times one fresh `node -e <script>`; throws with stderr when the process fails. */
export function timeFreshNode(target: LoadTarget, env: NodeJS.ProcessEnv): LoadTime {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-e', loadScript(target.bundlePath)], { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`${target.label} failed to load (exit ${run.status}):\n${run.stderr}`);
  return { wallMs, cpuMs: Number(run.stdout.trim().split('\n').pop()) };
}

/** Fisher-Yates shuffle (copy): each round runs the targets in a new order so drift hits all alike. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export interface ColdInitSamples {
  /** Per target, per round: wall time minus the same round's bare `node -e ''` (ms). */
  wallMs: Record<string, number[]>;
  /** Per target, per round: CPU time minus the same round's bare run (ms); steadier on a busy machine. */
  cpuMs: Record<string, number[]>;
}

/**
 * Cold init per target = its load time minus the bare `node -e ''` of the SAME round, over `rounds`
 * interleaved rounds (order shuffled each round), as wall time and as CPU time.
 */
export function measureColdInit(
  targets: readonly LoadTarget[],
  env: NodeJS.ProcessEnv,
  rounds: number,
): ColdInitSamples {
  const bare: LoadTarget = { label: 'bare' };
  const samples: ColdInitSamples = {
    wallMs: Object.fromEntries(targets.map((t) => [t.label, []])),
    cpuMs: Object.fromEntries(targets.map((t) => [t.label, []])),
  };
  for (let round = 0; round < rounds; round += 1) {
    const times = new Map<string, LoadTime>();
    for (const target of shuffled([bare, ...targets])) times.set(target.label, timeFreshNode(target, env));
    const bareTime = times.get('bare')!;
    for (const target of targets) {
      const time = times.get(target.label)!;
      samples.wallMs[target.label]!.push(time.wallMs - bareTime.wallMs);
      samples.cpuMs[target.label]!.push(time.cpuMs - bareTime.cpuMs);
    }
  }
  return samples;
}

/**
 * The environment a bundle initialises in, as Lambda would give it: the function's declared variables
 * (values that are intrinsics — Ref, GetAtt — become inert, plausible names), Lambda's own variables and
 * dummy credentials; tracing off (outside Lambda the tracer would try to reach an X-Ray daemon, and its
 * cost is the import). Nothing of the bench's own environment leaks in but PATH.
 */
export function lambdaLikeEnvironment(
  declared: Record<string, unknown>,
  functionName: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const [key, value] of Object.entries(declared)) {
    if (typeof value === 'string' || typeof value === 'number') env[key] = String(value);
    else
      env[key] = key.endsWith('_URL')
        ? `https://sqs.us-east-1.amazonaws.com/000000000000/${key.toLowerCase()}`
        : `intake-bench-${key.toLowerCase().replace(/_/g, '-')}`;
  }
  return {
    ...env,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-session',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}
