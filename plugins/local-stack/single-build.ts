/**
 * serverless-esbuild bundles each function in an esbuild build of its own, so every build parses the
 * AWS SDK, Powertools and middy again: with seven functions, seven times the work, most of `npm start`
 * on a busy two-core machine. Locally, one build with every handler as an entry point writes the same
 * files (`<work folder>/.build/functions/<name>.js`), unminified (readable stack traces), and leaves the
 * AWS SDK and Powertools to be required from node_modules (their CommonJS builds, same versions): that
 * is ~90% of the parsing, for ~60 ms more at a handler's first invoke. ESM-only packages (middy,
 * file-type) stay bundled, as in the deployed build. Deployed bundles are untouched: `sls
 * package` and `deploy` never load the local plugin; INTAKE_SINGLE_BUILD=false restores the stock
 * per-function builds locally.
 */
import type { BuildContext, BuildOptions, BuildResult } from 'esbuild';

/** The parts of serverless-esbuild 1.57's plugin instance that its own `bundle()` reads and writes. */
export interface EsbuildPluginLike {
  buildOptions?: Record<string, unknown>;
  buildDirPath?: string;
  serviceDirPath?: string;
  readonly functionEntries: { entry: string; func: unknown; functionAlias?: string }[];
  readonly plugins: unknown;
  buildCache?: Record<
    string,
    { bundlePath: string; entry: string; result?: BuildResult; context?: BuildContext }
  >;
  buildResults?: { bundlePath: string; func: unknown; functionAlias?: string }[];
  prepare(): void;
  bundle(): Promise<void>;
}

export interface EsbuildApi {
  context(options: BuildOptions): Promise<BuildContext>;
}

/** serverless-esbuild's own settings, which esbuild itself would reject (as its bundle() strips them). */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** Large, CommonJS-loadable package families a local build requires at run time instead of bundling. */
export const LOCAL_EXTERNALS = ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*', '@aws-lambda-powertools/*'];

const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');

/**
 * The esbuild options serverless-esbuild would use for each function (its settings without its own
 * keys, `exclude` added to `external`), for one build of every `entries` into `outdir`, unminified,
 * with LOCAL_EXTERNALS left out of the bundles.
 */
export function singleBuildOptions(
  buildOptions: Record<string, unknown>,
  plugins: unknown,
  entries: string[],
  serviceDir: string,
  outdir: string,
): BuildOptions {
  const options = Object.fromEntries(
    Object.entries(buildOptions).filter(([key]) => !PLUGIN_ONLY_OPTIONS.includes(key)),
  ) as BuildOptions;
  const exclude = strings(buildOptions.exclude);
  const extension = String(buildOptions.outputFileExtension ?? '.js');
  return {
    ...options,
    external: [
      ...strings(buildOptions.external),
      ...(exclude.includes('*') ? [] : exclude),
      ...LOCAL_EXTERNALS,
    ],
    plugins: (plugins ?? []) as BuildOptions['plugins'],
    ...(extension !== '.js' ? { outExtension: { '.js': extension } } : {}),
    minify: false,
    entryPoints: entries,
    absWorkingDir: serviceDir,
    // Entries keep their folders under outdir (functions/health.ts → outdir/functions/health.js), as
    // serverless-esbuild's one-entry builds do.
    outbase: serviceDir,
    outdir,
  };
}

/** True when `plugin` has the shape this module relies on (serverless-esbuild 1.57). */
export function canBundleInOneBuild(plugin: unknown): plugin is EsbuildPluginLike {
  const candidate = plugin as Partial<EsbuildPluginLike> | undefined;
  return (
    typeof candidate?.bundle === 'function' &&
    typeof candidate.prepare === 'function' &&
    'functionEntries' in candidate &&
    'buildDirPath' in candidate
  );
}

/**
 * A replacement for serverless-esbuild's `bundle()` (upstream-internals.ts puts it in place) that builds every function in one esbuild context
 * and fills `buildCache`/`buildResults` as the original does (so offline finds the handlers and
 * `disposeContexts` disposes the context). The watcher's later calls rebuild that context incrementally.
 */
export function bundleInOneBuild(
  plugin: EsbuildPluginLike,
  esbuild: EsbuildApi,
  onBuilt: (entries: number, milliseconds: number) => void = () => {},
): () => Promise<void> {
  let context: BuildContext | undefined;
  return async () => {
    const startedAt = performance.now();
    plugin.prepare();
    const functionEntries = plugin.functionEntries;
    const entries = [...new Set(functionEntries.map(({ entry }) => entry))];
    const buildOptions = plugin.buildOptions ?? {};
    const extension = String(buildOptions.outputFileExtension ?? '.js');
    const serviceDir = plugin.serviceDirPath ?? process.cwd();
    context ??= await esbuild.context(
      singleBuildOptions(buildOptions, plugin.plugins, entries, serviceDir, plugin.buildDirPath!),
    );
    const result = await context.rebuild();
    const bundlePathOf = (entry: string) => entry.slice(0, entry.lastIndexOf('.')) + extension;
    plugin.buildCache = Object.fromEntries(
      entries.map((entry, index) => [
        entry,
        { bundlePath: bundlePathOf(entry), entry, result, ...(index === 0 ? { context } : {}) },
      ]),
    );
    plugin.buildResults = functionEntries
      .filter(({ func }) => func !== null)
      .map(({ entry, func, functionAlias }) => ({
        bundlePath: bundlePathOf(entry),
        func,
        ...(functionAlias !== undefined ? { functionAlias } : {}),
      }));
    onBuilt(entries.length, Math.round(performance.now() - startedAt));
  };
}
