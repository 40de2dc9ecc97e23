/**
 * The wall between what ships and what emulates or tests, proved on the real build: `sls package --stage
 * dev` with INTAKE_BUNDLE_METAFILE=true keeps each function's esbuild metafile, and every input of every
 * bundle must be shipped code or a run-time dependency (scripts/lib/bundle-inputs.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleInputViolations, type BundleMetafile } from '../../../scripts/lib/bundle-inputs';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
const SLS = join(ROOT, 'node_modules', '.bin', 'sls');
/** serverless-esbuild's work folder; kept by INTAKE_BUNDLE_METAFILE, so removed before and after. */
const ESBUILD_WORK = join(ROOT, '.esbuild');

describe('each function bundle (sls package --stage dev, esbuild metafiles)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'intake-bundle-inputs-'));
  const metafiles = new Map<string, BundleMetafile>();
  let functionCount = 0;

  beforeAll(async () => {
    rmSync(ESBUILD_WORK, { recursive: true, force: true });
    try {
      await promisify(execFile)(SLS, ['package', '--stage', 'dev', '--package', outDir], {
        cwd: ROOT,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', INTAKE_BUNDLE_METAFILE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      });
      const buildDir = join(ESBUILD_WORK, '.build', 'functions');
      for (const name of readdirSync(buildDir).filter((file) => file.endsWith('-meta.json')))
        metafiles.set(
          name.replace(/-meta\.json$/, ''),
          JSON.parse(readFileSync(join(buildDir, name), 'utf8')),
        );
      const template = JSON.parse(
        readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as { Resources: Record<string, { Type: string }> };
      functionCount = Object.values(template.Resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      ).length;
    } finally {
      // The kept folder would otherwise slip the metafiles into the next package's zips.
      rmSync(ESBUILD_WORK, { recursive: true, force: true });
    }
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('has one metafile per deployed function', () => {
    expect(functionCount).toBeGreaterThan(0);
    expect(metafiles.size).toBe(functionCount);
  });

  it('holds only functions/, src/ and run-time node_modules inputs: no local stack, test, script or dev package', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const violations = [...metafiles].flatMap(([fn, metafile]) =>
      bundleInputViolations(metafile, lock).map((line) => `${fn}: ${line}`),
    );
    expect(violations).toEqual([]);
  });

  it('each bundle has its own entry point and reaches shipped code and dependencies (the check is not vacuous)', () => {
    for (const [fn, metafile] of metafiles) {
      const inputs = Object.keys(metafile.inputs);
      expect(inputs).toContain(`functions/${fn}.ts`);
      expect(inputs.some((input) => input.startsWith('node_modules/'))).toBe(true);
    }
  });
});
