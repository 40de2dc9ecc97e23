import * as esbuild from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleInOneBuild, type EsbuildPluginLike } from '../../../plugins/local-stack/single-build';

jest.setTimeout(60_000);

const serviceDir = join(__dirname, '..', '..', '..');
// Inside the service, so the bundles require the SDK and Powertools from its node_modules.
const buildDir = join(serviceDir, '.intake', `single-build-test-${process.pid}`);

describe('one esbuild build for every function (real esbuild, real handlers)', () => {
  const plugin: EsbuildPluginLike = {
    // serverless.yml's local settings, as serverless-esbuild hands them over.
    buildOptions: {
      bundle: true,
      minify: true,
      sourcemap: false,
      target: 'node24',
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      exclude: [],
      concurrency: Infinity,
      outputFileExtension: '.js',
    },
    buildDirPath: buildDir,
    serviceDirPath: serviceDir,
    functionEntries: [
      { entry: 'functions/health.ts', func: {}, functionAlias: 'health' },
      { entry: 'functions/not-found.ts', func: {}, functionAlias: 'not-found' },
    ],
    plugins: [],
    prepare: () => {},
    bundle: async () => {},
  };

  beforeAll(() => bundleInOneBuild(plugin, esbuild)());
  // As serverless-esbuild's disposeContexts does: the context's esbuild service would outlive the test.
  afterAll(async () => {
    for (const { context } of Object.values(plugin.buildCache ?? {})) await context?.dispose();
    rmSync(buildDir, { recursive: true, force: true });
  });

  it('writes each handler where serverless-offline looks for it', () => {
    for (const { bundlePath } of plugin.buildResults!)
      expect(existsSync(join(buildDir, bundlePath))).toBe(true);
    expect(plugin.buildResults!.map(({ bundlePath }) => bundlePath)).toEqual([
      'functions/health.js',
      'functions/not-found.js',
    ]);
  });

  it('leaves the SDK and Powertools to node_modules and bundles the rest', () => {
    const health = readFileSync(join(buildDir, 'functions', 'health.js'), 'utf8');
    expect(health).toContain('require("@aws-sdk/client-s3")');
    expect(health).toContain('require("@aws-lambda-powertools/logger")');
    expect(health).not.toMatch(/node_modules\/@aws-sdk\//);
  });

  it('produces bundles that run: the catch-all route answers 404 JSON', async () => {
    const event = JSON.parse(
      readFileSync(join(serviceDir, 'events', 'http-not-found.json'), 'utf8'),
    ) as object;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(join(buildDir, 'functions', 'not-found.js')) as {
      handler: (event: object, context: object) => Promise<{ statusCode: number; body: string }>;
    };
    const response = await handler(event, {
      awsRequestId: 'single-build',
      getRemainingTimeInMillis: () => 3000,
    });
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: expect.any(String) } });
  });
});
