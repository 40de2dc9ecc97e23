/**
 * Package size: `sls package --stage dev` (exactly what deploys), then every function zip against the
 * 250 KB budget. Figures: each zip's KB and its ratio to the budget (target <= 1.0 each, and each
 * function its own zip).
 *
 *   npx tsx bench/package-size.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuProfileEnv, summariseProfileDir } from './lib/cpu-profile';
import { FUNCTION_ZIP_BUDGET_BYTES, kb, packageBudgetViolations } from './lib/package-budget';
import { writeBenchResult } from './lib/results';
import type { Figures } from './lib/results';
import { functionArtifacts, packageService } from './lib/serverless-package';
import { round2 } from './lib/stats';

const outDir = mkdtempSync(join(tmpdir(), 'intake-bench-package-'));
const profileDir = mkdtempSync(join(tmpdir(), 'intake-bench-package-profile-'));
try {
  packageService(outDir, 'dev', cpuProfileEnv(profileDir));
  // Where the CPU went: every Node process of the run (the framework and its plugins; esbuild itself is a
  // Go binary the profiler does not sample), one summary per process.
  const profiles = summariseProfileDir(
    profileDir,
    (pid, threadId) => `sls package pid ${pid} thread ${threadId}`,
  );
  const artifacts = functionArtifacts(outDir);
  const violations = packageBudgetViolations(artifacts);
  const figures: Figures = { functions: artifacts.length, budgetKb: kb(FUNCTION_ZIP_BUDGET_BYTES) };
  for (const artifact of artifacts) {
    figures[`${artifact.functionName}.kb`] = kb(artifact.bytes);
    figures[`${artifact.functionName}.ratioToBudget`] = round2(artifact.bytes / FUNCTION_ZIP_BUDGET_BYTES);
  }
  const largest = artifacts.reduce((max, artifact) => Math.max(max, artifact.bytes), 0);
  figures.largestRatioToBudget = round2(largest / FUNCTION_ZIP_BUDGET_BYTES);
  writeBenchResult(
    'package-size',
    figures,
    { ratioToBudget: '<= 1.0 for every function zip', zips: 'one zip per function' },
    violations.length === 0,
    `${artifacts.length} zips, largest ${kb(largest)} KB = ${figures.largestRatioToBudget}x of the ${kb(FUNCTION_ZIP_BUDGET_BYTES)} KB budget` +
      (violations.length ? ` — ${violations.join('; ')}` : ''),
    profiles,
  );
} finally {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
}
