import { FUNCTION_ZIP_BUDGET_BYTES, packageBudgetViolations } from '../../../bench/lib/package-budget';
import type { FunctionArtifact } from '../../../bench/lib/serverless-package';
import { median, percentile } from '../../../bench/lib/stats';

const artifact = (functionName: string, zipName: string, bytes: number): FunctionArtifact => ({
  logicalId: functionName,
  functionName,
  zipName,
  zipPath: `/tmp/${zipName}`,
  bytes,
});

describe('package budget (each function its own zip, each <= 250 KB)', () => {
  it('accepts one zip per function within the budget, the budget itself included', () => {
    expect(
      packageBudgetViolations([
        artifact('health', 'health.zip', 1_000),
        artifact('other', 'other.zip', FUNCTION_ZIP_BUDGET_BYTES),
      ]),
    ).toEqual([]);
  });

  it('names a zip over the budget with its size', () => {
    expect(
      packageBudgetViolations([artifact('health', 'health.zip', FUNCTION_ZIP_BUDGET_BYTES + 1)]),
    ).toEqual(['health: 250 KB exceeds the 250 KB budget']);
    expect(packageBudgetViolations([artifact('big', 'big.zip', 300 * 1024)])).toEqual([
      'big: 300 KB exceeds the 250 KB budget',
    ]);
  });

  it('rejects functions sharing one zip, a missing zip, and a template without functions', () => {
    expect(
      packageBudgetViolations([artifact('a', 'service.zip', 10), artifact('b', 'service.zip', 10)]),
    ).toEqual(['a, b share one zip "service.zip"']);
    expect(packageBudgetViolations([artifact('a', 'a.zip', -1)])).toEqual(['a: zip "a.zip" is missing']);
    expect(packageBudgetViolations([])).toEqual(['the template declares no Lambda function']);
  });
});

describe('bench statistics', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 50)).toBe(7);
  });

  it('refuses an empty sample rather than inventing a figure', () => {
    expect(() => median([])).toThrow('empty');
    expect(() => percentile([], 50)).toThrow('empty');
  });
});
