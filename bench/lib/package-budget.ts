import type { FunctionArtifact } from './serverless-package';

/** Issue 3's budget for every function zip. */
export const FUNCTION_ZIP_BUDGET_BYTES = 250 * 1024;

/**
 * What is wrong with a package, one sentence each (empty = within budget): no function at all, a
 * function without its own zip (shared with another, or missing), a zip over the budget.
 */
export function packageBudgetViolations(
  artifacts: readonly FunctionArtifact[],
  budgetBytes = FUNCTION_ZIP_BUDGET_BYTES,
): string[] {
  if (artifacts.length === 0) return ['the template declares no Lambda function'];
  const violations: string[] = [];
  const owners = new Map<string, string[]>();
  for (const artifact of artifacts) {
    owners.set(artifact.zipName, [...(owners.get(artifact.zipName) ?? []), artifact.functionName]);
    if (artifact.bytes < 0) violations.push(`${artifact.functionName}: zip "${artifact.zipName}" is missing`);
    else if (artifact.bytes > budgetBytes) {
      violations.push(
        `${artifact.functionName}: ${kb(artifact.bytes)} KB exceeds the ${kb(budgetBytes)} KB budget`,
      );
    }
  }
  for (const [zipName, functionNames] of owners) {
    if (functionNames.length > 1) violations.push(`${functionNames.join(', ')} share one zip "${zipName}"`);
  }
  return violations;
}

export const kb = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;
