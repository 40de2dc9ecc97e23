import { bundleInputViolations, packagePathOf } from '../../../scripts/lib/bundle-inputs';

const lock = {
  packages: {
    'node_modules/zod': {},
    'node_modules/@aws-sdk/client-s3': {},
    'node_modules/s3rver': { dev: true },
    'node_modules/@smithy/signature-v4': { devOptional: true },
    'node_modules/a/node_modules/b': {},
  },
};
const meta = (...inputs: string[]) => ({ inputs: Object.fromEntries(inputs.map((input) => [input, {}])) });

describe('bundle inputs (what a Lambda bundle may contain)', () => {
  it('accepts shipped code and run-time packages, scoped and nested ones included', () => {
    expect(
      bundleInputViolations(
        meta(
          'functions/health.ts',
          'src/config.ts',
          'node_modules/zod/index.js',
          'node_modules/@aws-sdk/client-s3/dist-es/index.js',
          'node_modules/a/node_modules/b/x.js',
        ),
        lock,
      ),
    ).toEqual([]);
  });

  it('names the local stack, tests, scripts and benchmarks as outside the shipped folders', () => {
    expect(
      bundleInputViolations(
        meta(
          'plugins/local-stack/state.ts',
          'test/helpers/emulators.ts',
          'scripts/lib/cfn.ts',
          'bench/run.ts',
        ),
        lock,
      ),
    ).toEqual([
      'plugins/local-stack/state.ts: outside functions/ and src/',
      'test/helpers/emulators.ts: outside functions/ and src/',
      'scripts/lib/cfn.ts: outside functions/ and src/',
      'bench/run.ts: outside functions/ and src/',
    ]);
  });

  it('names a development dependency and a package the lockfile does not know', () => {
    expect(
      bundleInputViolations(
        meta(
          'node_modules/s3rver/lib/app.js',
          'node_modules/@smithy/signature-v4/dist/index.js',
          'node_modules/ghost/x.js',
        ),
        lock,
      ),
    ).toEqual([
      'node_modules/s3rver/lib/app.js: node_modules/s3rver is a development dependency',
      'node_modules/@smithy/signature-v4/dist/index.js: node_modules/@smithy/signature-v4 is a development dependency',
      'node_modules/ghost/x.js: node_modules/ghost is not in package-lock.json',
    ]);
  });

  it('finds the innermost package of a path', () => {
    expect(packagePathOf('node_modules/@a/b/c/d.js')).toBe('node_modules/@a/b');
    expect(packagePathOf('node_modules/a/node_modules/@s/n/x.js')).toBe('node_modules/a/node_modules/@s/n');
    expect(packagePathOf('src/config.ts')).toBeUndefined();
  });
});
