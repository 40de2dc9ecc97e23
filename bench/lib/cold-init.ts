import { spawnSync } from 'node:child_process';

/** A bundle to load in a fresh node process, with a label for figures. */
export interface LoadTarget {
  label: string;
  /** Absolute path of a CommonJS bundle exporting `handler`; undefined = bare `node -e ''`. */
  bundlePath?: string;
}

/** Script a fresh node runs: load the bundle (module scope builds the handler) and check the export. */
export const loadScript = (bundlePath: string): string =>
  `const m = require(${JSON.stringify(bundlePath)}); if (typeof m.handler !== 'function') process.exit(3);`;

/** Wall time (ms) of one fresh `node -e <script>`; throws with stderr when the process fails. */
export function timeFreshNode(target: LoadTarget, env: NodeJS.ProcessEnv): number {
  const script = target.bundlePath ? loadScript(target.bundlePath) : '';
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`${target.label} failed to load (exit ${run.status}):\n${run.stderr}`);
  return elapsed;
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

/**
 * Cold init per target = its load time minus the bare `node -e ''` of the SAME round, over `rounds`
 * interleaved rounds (order shuffled each round). Returns every target's per-round init times (ms).
 */
export function measureColdInit(
  targets: readonly LoadTarget[],
  env: NodeJS.ProcessEnv,
  rounds: number,
): Record<string, number[]> {
  const bare: LoadTarget = { label: 'bare' };
  const samples: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.label, []]));
  for (let round = 0; round < rounds; round += 1) {
    const times = new Map<string, number>();
    for (const target of shuffled([bare, ...targets])) times.set(target.label, timeFreshNode(target, env));
    const bareTime = times.get('bare')!;
    for (const target of targets) samples[target.label]!.push(times.get(target.label)! - bareTime);
  }
  return samples;
}
