import type { BuildContext, BuildOptions, BuildResult } from 'esbuild';
import type { EsbuildPluginLike } from '../../../plugins/local-stack/single-build';
import {
  bundleInOneBuild,
  canBundleInOneBuild,
  LOCAL_EXTERNALS,
  singleBuildOptions,
} from '../../../plugins/local-stack/single-build';

/** serverless.yml's custom.esbuild as serverless-esbuild merges it with its defaults. */
const buildOptions = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: 'node24',
  platform: 'node',
  format: 'cjs',
  mainFields: ['module', 'main'],
  alias: {},
  external: ['pg-native'],
  exclude: ['aws-sdk'],
  concurrency: Infinity,
  zipConcurrency: Infinity,
  nativeZip: true,
  packager: 'npm',
  packagerOptions: { noInstall: false },
  installExtraArgs: [],
  watch: { pattern: './**/*.(js|ts)' },
  keepOutputDirectory: false,
  outputFileExtension: '.js',
  outputWorkFolder: '.intake/run-1',
  skipBuild: false,
  skipBuildExcludeFns: [],
  stripEntryResolveExtensions: false,
  disposeContext: true,
};

describe('singleBuildOptions', () => {
  const options = singleBuildOptions(
    buildOptions,
    [],
    ['functions/a.ts', 'functions/b.ts'],
    '/srv',
    '/srv/.b',
  );

  it("keeps serverless.yml's esbuild settings and drops serverless-esbuild's own keys", () => {
    expect(options).toMatchObject({
      bundle: true,
      sourcemap: false,
      target: 'node24',
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      alias: {},
    });
    for (const key of [
      'concurrency',
      'exclude',
      'nativeZip',
      'watch',
      'outputWorkFolder',
      'disposeContext',
    ]) {
      expect(options).not.toHaveProperty(key);
    }
  });

  it('builds every entry at once, keeping their folders under the output folder, unminified', () => {
    expect(options).toMatchObject({
      entryPoints: ['functions/a.ts', 'functions/b.ts'],
      absWorkingDir: '/srv',
      outbase: '/srv',
      outdir: '/srv/.b',
      minify: false,
    });
    expect(options).not.toHaveProperty('outExtension');
  });

  it('leaves the configured externals, the excluded packages and the SDK and Powertools out of the bundles', () => {
    expect(options.external).toEqual(['pg-native', 'aws-sdk', ...LOCAL_EXTERNALS]);
    expect(LOCAL_EXTERNALS).toEqual(expect.arrayContaining(['@aws-sdk/*', '@aws-lambda-powertools/*']));
  });

  it("reads exclude '*' as serverless-esbuild does, and honours another output extension", () => {
    const other = singleBuildOptions(
      { exclude: '*', outputFileExtension: '.cjs' },
      undefined,
      ['f.ts'],
      '/srv',
      '/o',
    );
    expect(other.external).toEqual(LOCAL_EXTERNALS);
    expect(other.outExtension).toEqual({ '.js': '.cjs' });
    expect(other.plugins).toEqual([]);
  });
});

describe('canBundleInOneBuild', () => {
  it("recognises serverless-esbuild's plugin shape and nothing else", () => {
    const shaped = { bundle: () => {}, prepare: () => {}, functionEntries: [], buildDirPath: '/b' };
    expect(canBundleInOneBuild(shaped)).toBe(true);
    expect(canBundleInOneBuild(undefined)).toBe(false);
    expect(canBundleInOneBuild({ ...shaped, prepare: undefined })).toBe(false);
    expect(canBundleInOneBuild({ bundle: () => {}, prepare: () => {} })).toBe(false);
  });
});

describe('bundleInOneBuild', () => {
  function fakes() {
    const result = { errors: [], warnings: [] } as unknown as BuildResult;
    const context = { rebuild: jest.fn(async () => result), dispose: jest.fn() } as unknown as BuildContext;
    const esbuild = { context: jest.fn(async (_options: BuildOptions) => context) };
    const health = { handler: 'functions/health.handler' };
    const notFound = { handler: 'functions/not-found.handler' };
    const plugin: EsbuildPluginLike = {
      buildOptions: { outputFileExtension: '.js', minify: true },
      buildDirPath: '/srv/.esbuild/.build',
      serviceDirPath: '/srv',
      functionEntries: [
        { entry: 'functions/health.ts', func: health, functionAlias: 'health' },
        { entry: 'functions/health.ts', func: health, functionAlias: 'health-again' },
        { entry: 'functions/not-found.ts', func: notFound, functionAlias: 'not-found' },
      ],
      plugins: [],
      prepare: jest.fn(),
      bundle: async () => {},
    };
    return { plugin, esbuild, context, result, health, notFound };
  }

  it('builds each handler file once, in one esbuild build, and records the bundles as serverless-esbuild does', async () => {
    const { plugin, esbuild, context, result, health, notFound } = fakes();
    const built = jest.fn();
    await bundleInOneBuild(plugin, esbuild, built)();
    expect(plugin.prepare).toHaveBeenCalled();
    expect(esbuild.context).toHaveBeenCalledTimes(1);
    expect(esbuild.context.mock.calls[0]![0]).toMatchObject({
      entryPoints: ['functions/health.ts', 'functions/not-found.ts'],
      outdir: '/srv/.esbuild/.build',
    });
    expect(plugin.buildCache).toEqual({
      'functions/health.ts': {
        bundlePath: 'functions/health.js',
        entry: 'functions/health.ts',
        result,
        context,
      },
      'functions/not-found.ts': {
        bundlePath: 'functions/not-found.js',
        entry: 'functions/not-found.ts',
        result,
      },
    });
    expect(plugin.buildResults).toEqual([
      { bundlePath: 'functions/health.js', func: health, functionAlias: 'health' },
      { bundlePath: 'functions/health.js', func: health, functionAlias: 'health-again' },
      { bundlePath: 'functions/not-found.js', func: notFound, functionAlias: 'not-found' },
    ]);
    expect(built).toHaveBeenCalledWith(2, expect.any(Number));
  });

  it('rebuilds the same context incrementally when the watcher calls it again', async () => {
    const { plugin, esbuild, context } = fakes();
    const bundle = bundleInOneBuild(plugin, esbuild);
    await bundle();
    await bundle();
    expect(esbuild.context).toHaveBeenCalledTimes(1);
    expect(context.rebuild).toHaveBeenCalledTimes(2);
  });

  it('skips entries without a function, as serverless-esbuild does', async () => {
    const { plugin, esbuild } = fakes();
    const bare = {
      ...plugin,
      functionEntries: [{ entry: 'index.ts', func: null }],
      serviceDirPath: undefined,
    };
    await bundleInOneBuild(bare, esbuild)();
    expect(bare.buildResults).toEqual([]);
    expect(esbuild.context.mock.calls[0]![0].absWorkingDir).toBe(process.cwd());
  });
});
