/**
 * Cold init and zip size of EVERY deployed function, now against an earlier revision, in one run: both
 * revisions are packaged with `sls package --stage dev` (exactly what deploys), each function's two
 * bundles are loaded in fresh node processes in interleaved, shuffled rounds (minus the same round's bare
 * `node -e ''`), with the environment its packaged template gives it, and each function's figures are
 * after/before ratios. Target: no function's cold init or zip grows by more than 5 %. Both revisions load
 * on the Node running the bench, so the ratios measure the code and its dependencies, not the runtime.
 * A function whose bundle is byte-identical in both revisions is measured too: its ratio shows the
 * noise of the measurement, and never counts as a regression.
 *
 *   npm run bench -- function-cold-init                         # against BASELINE_REF_DEFAULT
 *   BASELINE_REF=<git ref> npm run bench -- function-cold-init
 *
 * The baseline revision is checked out in a temporary git worktree, installed there with `npm ci` and
 * packaged; the worktree is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaLikeEnvironment, measureColdInit, timeFreshNode } from './lib/cold-init';
import { cpuProfileEnv, summariseProfileDir, type ProcessProfile } from './lib/cpu-profile';
import { writeBenchResult } from './lib/results';
import type { Figures } from './lib/results';
import {
  functionArtifacts,
  packageService,
  PROJECT_ROOT,
  readPackagedTemplate,
} from './lib/serverless-package';
import type { FunctionArtifact } from './lib/serverless-package';
import { median, round2 } from './lib/stats';

/** The last commit before issue 14 (lazy tracing, metrics published only when recorded). */
const BASELINE_REF_DEFAULT = '6aec9d0';
const BASELINE_REF = process.env.BASELINE_REF || BASELINE_REF_DEFAULT;
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const MAX_GROWTH = 1.05;

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/** `sls package` of `ref` in a fresh worktree with its own `npm ci`; returns the package folder. */
function packageRevision(ref: string, work: string): string {
  const tree = join(work, 'baseline-tree');
  run('git', ['worktree', 'add', '--detach', tree, ref], PROJECT_ROOT);
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], tree);
  const outDir = join(work, 'before');
  run(join(tree, 'node_modules', '.bin', 'sls'), ['package', '--stage', 'dev', '--package', outDir], tree);
  return outDir;
}

/** Each function's bundle, unzipped into `dir/<zip name>/` (the handler file the template names). */
function unzippedBundles(artifacts: FunctionArtifact[], dir: string): Map<string, string> {
  const bundles = new Map<string, string>();
  for (const artifact of artifacts) {
    const name = artifact.zipName.replace(/\.zip$/, '');
    if (name === 'custom-resources') continue; // the framework's own, not ours
    const target = join(dir, name);
    mkdirSync(target, { recursive: true });
    run('unzip', ['-q', '-o', artifact.zipPath, '-d', target], PROJECT_ROOT);
    bundles.set(name, join(target, 'functions', `${name}.js`));
  }
  return bundles;
}

/** The function's declared environment, as its packaged template gives it. */
function declaredEnvironment(outDir: string, functionName: string): Record<string, unknown> {
  const [, resource] = Object.entries(readPackagedTemplate(outDir).Resources).find(
    ([, candidate]) =>
      candidate.Type === 'AWS::Lambda::Function' && candidate.Properties?.FunctionName === functionName,
  )!;
  const environment = resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'intake-bench-fn-init-'));
  try {
    const beforeDir = packageRevision(BASELINE_REF, work);
    const afterDir = join(work, 'after');
    packageService(afterDir);
    const before = functionArtifacts(beforeDir);
    const after = functionArtifacts(afterDir);
    const beforeBundles = unzippedBundles(before, join(work, 'before-bundles'));
    const afterBundles = unzippedBundles(after, join(work, 'after-bundles'));
    const names = [...afterBundles.keys()].filter((name) => beforeBundles.has(name)).sort();

    const samples = { cpuMs: {} as Record<string, number[]>, wallMs: {} as Record<string, number[]> };
    const profiles: ProcessProfile[] = [];
    for (const name of names) {
      const functionName = after.find((artifact) => artifact.zipName === `${name}.zip`)!.functionName;
      const env = lambdaLikeEnvironment(declaredEnvironment(afterDir, functionName), functionName);
      const pair = measureColdInit(
        [
          { label: `${name}.before`, bundlePath: beforeBundles.get(name)! },
          { label: `${name}.after`, bundlePath: afterBundles.get(name)! },
        ],
        env,
        ROUNDS,
      );
      Object.assign(samples.cpuMs, pair.cpuMs);
      Object.assign(samples.wallMs, pair.wallMs);
      // Where the init of the current bundle went: one more fresh process, profiled, apart from the rounds.
      const profileDir = mkdtempSync(join(work, `profile-${name}-`));
      timeFreshNode(
        { label: name, bundlePath: afterBundles.get(name)! },
        { ...env, ...cpuProfileEnv(profileDir, undefined) },
      );
      profiles.push(...summariseProfileDir(profileDir, () => `cold init: ${name} (node --cpu-prof)`, 10));
    }

    const figures: Figures = { node: process.version, baselineRef: BASELINE_REF, rounds: ROUNDS };
    const regressions: string[] = [];
    for (const name of names) {
      const cpu = (label: string) => median(samples.cpuMs[label]!);
      const wall = (label: string) => median(samples.wallMs[label]!);
      const zipBefore = before.find((artifact) => artifact.zipName === `${name}.zip`)!.bytes;
      const zipAfter = after.find((artifact) => artifact.zipName === `${name}.zip`)!.bytes;
      const initRatio = cpu(`${name}.after`) / cpu(`${name}.before`);
      const zipRatio = zipAfter / zipBefore;
      Object.assign(figures, {
        [`${name}.initCpuMsBefore`]: round2(cpu(`${name}.before`)),
        [`${name}.initCpuMsAfter`]: round2(cpu(`${name}.after`)),
        [`${name}.initCpuRatio`]: round2(initRatio),
        [`${name}.initWallRatio`]: round2(wall(`${name}.after`) / wall(`${name}.before`)),
        [`${name}.zipKbBefore`]: round2(zipBefore / 1024),
        [`${name}.zipKbAfter`]: round2(zipAfter / 1024),
        [`${name}.zipRatio`]: round2(zipRatio),
      });
      // The same bytes cannot initialise slower: their ratio is the measurement's noise, not a regression.
      const identical = readFileSync(beforeBundles.get(name)!).equals(readFileSync(afterBundles.get(name)!));
      figures[`${name}.identicalBundle`] = identical;
      if (initRatio > MAX_GROWTH && !identical) regressions.push(`${name} init ${round2(initRatio)}x`);
      if (zipRatio > MAX_GROWTH) regressions.push(`${name} zip ${round2(zipRatio)}x`);
    }
    figures.loadAverage1m = round2(loadavg()[0]!);
    writeBenchResult(
      'function-cold-init',
      figures,
      {
        initCpuRatio: `<= ${MAX_GROWTH} for every function (after / before, CPU time of a fresh process minus a bare one)`,
        zipRatio: `<= ${MAX_GROWTH} for every function`,
      },
      regressions.length === 0,
      `${names.length} functions vs ${BASELINE_REF}: ` +
        names
          .map(
            (name) => `${name} init ${figures[`${name}.initCpuRatio`]}x zip ${figures[`${name}.zipRatio`]}x`,
          )
          .join(', ') +
        (regressions.length ? ` — over ${MAX_GROWTH}: ${regressions.join('; ')}` : ''),
      profiles,
    );
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', join(work, 'baseline-tree')], { cwd: PROJECT_ROOT });
    rmSync(work, { recursive: true, force: true });
  }
}

main();
