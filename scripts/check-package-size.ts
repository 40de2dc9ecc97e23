/**
 * CI gate: every function got its own zip and each is within the 250 KB budget.
 *
 *   npx tsx scripts/check-package-size.ts [packageDir]
 *
 * With a packageDir it checks what `sls package --package <dir>` wrote there; without one it packages
 * stage dev into a temporary directory first. Exits 1 naming every violation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTION_ZIP_BUDGET_BYTES, kb, packageBudgetViolations } from '../bench/lib/package-budget';
import { functionArtifacts, packageService } from '../bench/lib/serverless-package';

function main(): number {
  const given = process.argv[2];
  const outDir = given ?? mkdtempSync(join(tmpdir(), 'intake-package-'));
  try {
    if (!given) packageService(outDir);
    const artifacts = functionArtifacts(outDir);
    for (const artifact of artifacts)
      console.log(`${artifact.functionName}\t${artifact.zipName}\t${kb(artifact.bytes)} KB`);
    const violations = packageBudgetViolations(artifacts);
    for (const violation of violations) console.error(`package size: ${violation}`);
    console.log(
      violations.length === 0
        ? `package size OK: ${artifacts.length} functions, each its own zip within ${kb(FUNCTION_ZIP_BUDGET_BYTES)} KB`
        : `package size FAILED: ${violations.length} violation(s)`,
    );
    return violations.length === 0 ? 0 : 1;
  } finally {
    if (!given) rmSync(outDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
