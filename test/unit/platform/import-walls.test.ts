/**
 * The lint wall around shipped code (eslint.config.mjs), run through the eslint CLI on sample sources
 * (`--stdin-filename` places each in the tree; ESLint's API cannot load the ES-module config under jest).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..', '..');
const ESLINT = join(ROOT, 'node_modules', '.bin', 'eslint');

/** How many no-restricted-imports errors ESLint reports for `source` as if it were the file `file`. */
function restrictedImports(file: string, source: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      ESLINT,
      ['--format', 'json', '--stdin', '--stdin-filename', file],
      { cwd: ROOT },
      (error, stdout) => {
        // eslint exits 1 when it found problems; anything without a JSON report is a real failure.
        if (!stdout.startsWith('[')) return reject(error ?? new Error(stdout));
        const [result] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null }> }>;
        resolve(result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').length);
      },
    );
    child.stdin!.end(source);
  });
}

describe('import walls (what functions/ and src/ may import)', () => {
  it('refuses the local stack, tests, emulators and test tools in src/, one error per import', async () => {
    const source = [
      "import { readLocalState } from '../../plugins/local-stack/state';",
      "import { startEmulators } from '../../test/helpers/emulators';",
      "import S3rver from 's3rver';",
      "import * as fc from 'fast-check';",
      'export { readLocalState, startEmulators, S3rver, fc };',
    ].join('\n');
    expect(await restrictedImports('src/documents/sample.ts', `${source}\n`)).toBe(4);
  });

  it('refuses scripts, benchmarks and the framework in functions/', async () => {
    const source = [
      "import { resolveOpsTarget } from '../scripts/lib/ops-target';",
      "import { median } from '../bench/lib/stats';",
      "import offline from 'serverless-offline';",
      'export { resolveOpsTarget, median, offline };',
    ].join('\n');
    expect(await restrictedImports('functions/sample.ts', `${source}\n`)).toBe(3);
  });

  it('lets shipped code import shipped code and run-time packages, and the rest import shipped code', async () => {
    const shipped =
      "import { loadConfig } from '../config';\nimport { S3Client } from '@aws-sdk/client-s3';\n";
    const outside = "import { loadConfig } from '../../src/config';\nexport { loadConfig };\n";
    const counts = await Promise.all([
      restrictedImports('src/aws/sample.ts', `${shipped}export { loadConfig, S3Client };\n`),
      restrictedImports('plugins/local-stack/sample.ts', outside),
      restrictedImports('test/unit/sample.ts', outside),
    ]);
    expect(counts).toEqual([0, 0, 0]);
  });
});
