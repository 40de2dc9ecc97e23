/**
 * CI gate on the packaged CloudFormation template: one role per function, no wildcard actions, no
 * Resource '*' beyond X-Ray, logs only to the function's own group, SQS visibility >= 6x consumer
 * timeout. `npx tsx scripts/check-template.ts [packageDir]` (default: packages stage dev into a temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageService, readPackagedTemplate } from '../bench/lib/serverless-package';
import { templateViolations } from './lib/template-rules';
import type { Template } from './lib/template-rules';

function main(): number {
  const given = process.argv[2];
  const outDir = given ?? mkdtempSync(join(tmpdir(), 'intake-template-'));
  try {
    if (!given) packageService(outDir);
    const violations = templateViolations(readPackagedTemplate(outDir) as Template);
    for (const violation of violations) console.error(`template: ${violation}`);
    console.log(
      violations.length === 0
        ? 'template OK: least privilege and SQS visibility rules hold'
        : `template FAILED: ${violations.length} violation(s)`,
    );
    return violations.length === 0 ? 0 : 1;
  } finally {
    if (!given) rmSync(outDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
