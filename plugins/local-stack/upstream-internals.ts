import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { verifiedAuthorizerOnly, type EventBuilderPrototype } from './auth/offline-event-guard';
import { limitedPoolGet, type FunctionPoolPrototype } from './function-pool-limit';
import { answeringInitFailures } from './init-failure-answer';
import {
  bundleInOneBuild,
  canBundleInOneBuild,
  type EsbuildApi,
  type EsbuildPluginLike,
} from './single-build';

/**
 * The one module of the local stack that reaches past serverless-offline's and serverless-esbuild's
 * public options, hooks and exports. Each use has no public equivalent:
 *
 * - serverless-offline `src/lambda/LambdaFunctionPool.js` (`prototype.get`): caps the worker threads per
 *   function (function-pool-limit.ts; offline has no such option) and answers an HTTP API request whose
 *   function cannot initialise 503, as API Gateway does (init-failure-answer.ts; offline answers 500).
 *   Its `LambdaFunction` instances are used through `status`, `setEvent`, `runHandler`, `cleanup`.
 * - serverless-offline's runtime loader (`aws-lambda-ric/UserFunction.js`) on an error's stack: how an init
 *   failure is told from a function error.
 * - serverless-offline `src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js`
 *   (`prototype.create`): the authorizer context a function gets (auth/offline-event-guard.ts).
 * - serverless-esbuild's plugin instance (`bundle`, `prepare`, `functionEntries`, `buildDirPath`, …):
 *   one esbuild build for every function instead of one each (single-build.ts).
 *
 * When npm start begins, `loadUpstreamInternals` checks the installed versions against WRITTEN_FOR and
 * every part above against the shape it is used with, and stops npm start with one line naming both
 * versions when either differs.
 */
export const WRITTEN_FOR = { 'serverless-offline': '14.8.5', 'serverless-esbuild': '1.57.2' } as const;

type Upstream = keyof typeof WRITTEN_FOR;

/** Why the local stack cannot use an upstream package it reaches into (one line, for npm start). */
export class UpstreamInternalsError extends Error {}

export interface UpstreamInternals {
  functionPool: FunctionPoolPrototype;
  eventBuilder: EventBuilderPrototype;
  /** serverless-esbuild's plugin instance; undefined when it is not loaded or not to be used. */
  esbuildPlugin?: EsbuildPluginLike;
}

/** Same major.minor: what a patch release may change is checked by the shapes. */
export function sameMinor(expected: string, found: string): boolean {
  return expected.split('.').slice(0, 2).join('.') === found.split('.').slice(0, 2).join('.');
}

function mismatch(name: Upstream, found: string | undefined, detail = ''): UpstreamInternalsError {
  return new UpstreamInternalsError(
    `local stack: plugins/local-stack/upstream-internals.ts was written for ${name} ${WRITTEN_FOR[name]} and found ${name} ${found ?? '(not installed)'}${detail}: install ${name} ${WRITTEN_FOR[name]}, or check what that module uses against the version found and update it.`,
  );
}

/** The folder and version of `name` as the service resolves it (the copy the framework loads). */
export function installedPackage(serviceDir: string, name: Upstream): { root: string; version: string } {
  let directory: string;
  try {
    directory = dirname(createRequire(join(serviceDir, 'package.json')).resolve(name));
  } catch {
    throw mismatch(name, undefined);
  }
  for (; directory !== dirname(directory); directory = dirname(directory)) {
    const manifestPath = join(directory, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === name) return { root: directory, version: String(manifest.version) };
  }
  throw mismatch(name, undefined);
}

/** Loads an ES module by URL (Node's own `import()`; tests, which cannot, pass a stand-in). */
export type ModuleImporter = (url: string) => Promise<unknown>;

const nativeImport: ModuleImporter = (url) => import(url);

/** The prototype of the default export of `path` (an ES module), or undefined. */
async function defaultExportPrototype(
  importModule: ModuleImporter,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const loaded = (await importModule(pathToFileURL(path).href)) as { default?: { prototype?: unknown } };
    return loaded.default?.prototype as Record<string, unknown> | undefined;
  } catch {
    return undefined;
  }
}

const hasMethods = (prototype: Record<string, unknown> | undefined, names: readonly string[]) =>
  prototype !== undefined && names.every((name) => typeof prototype[name] === 'function');

const RUNTIME_LOADER = join('aws-lambda-ric', 'UserFunction.js');

/**
 * Checks serverless-offline (and serverless-esbuild's `esbuildPlugin`, when given) against what this
 * module was written for and loads the parts it uses. Throws UpstreamInternalsError (one line) when a
 * version or a shape differs.
 */
export async function loadUpstreamInternals(
  serviceDir: string,
  esbuildPlugin?: unknown,
  importModule: ModuleImporter = nativeImport,
): Promise<UpstreamInternals> {
  const offline = installedPackage(serviceDir, 'serverless-offline');
  if (!sameMinor(WRITTEN_FOR['serverless-offline'], offline.version))
    throw mismatch('serverless-offline', offline.version);
  const source = (path: string) => join(offline.root, 'src', path);
  const functionPool = await defaultExportPrototype(importModule, source('lambda/LambdaFunctionPool.js'));
  const lambdaFunction = await defaultExportPrototype(importModule, source('lambda/LambdaFunction.js'));
  const eventBuilder = await defaultExportPrototype(
    importModule,
    source('events/http/lambda-events/LambdaProxyIntegrationEventV2.js'),
  );
  const missing = [
    !hasMethods(functionPool, ['get']) && 'LambdaFunctionPool.prototype.get',
    !(
      hasMethods(lambdaFunction, ['setEvent', 'runHandler', 'cleanup']) &&
      typeof Object.getOwnPropertyDescriptor(lambdaFunction, 'status')?.get === 'function'
    ) && 'LambdaFunction (status, setEvent, runHandler, cleanup)',
    !hasMethods(eventBuilder, ['create']) && 'LambdaProxyIntegrationEventV2.prototype.create',
    !existsSync(source(join('lambda/handler-runner/in-process-runner', RUNTIME_LOADER))) && RUNTIME_LOADER,
  ].filter((name): name is string => typeof name === 'string');
  if (missing.length > 0)
    throw mismatch('serverless-offline', offline.version, ` without ${missing.join(', ')}`);

  const internals: UpstreamInternals = {
    functionPool: functionPool as unknown as FunctionPoolPrototype,
    eventBuilder: eventBuilder as unknown as EventBuilderPrototype,
  };
  if (esbuildPlugin !== undefined) {
    const esbuild = installedPackage(serviceDir, 'serverless-esbuild');
    if (!sameMinor(WRITTEN_FOR['serverless-esbuild'], esbuild.version))
      throw mismatch('serverless-esbuild', esbuild.version);
    if (!canBundleInOneBuild(esbuildPlugin))
      throw mismatch(
        'serverless-esbuild',
        esbuild.version,
        ' whose plugin has no bundle, prepare, functionEntries and buildDirPath',
      );
    internals.esbuildPlugin = esbuildPlugin;
  }
  return internals;
}

/**
 * True when `error` was thrown while serverless-offline's runtime loader loaded the handler module: the
 * module's init failed (a function error is thrown by the handler, with no loader on its stack).
 */
export function isInitFailure(error: unknown): boolean {
  const stack = (error as { stack?: unknown } | null | undefined)?.stack;
  return typeof stack === 'string' && stack.includes(RUNTIME_LOADER);
}

const applied = Symbol.for('intake.upstreamInternals');

export interface UpstreamWorkarounds {
  /** The most instances serverless-offline may run at once of a function. */
  limitFor(functionKey: string): number;
  /** With an esbuild plugin: build every function in one build with this esbuild. */
  esbuild: EsbuildApi;
  onBuilt(entries: number, milliseconds: number): void;
}

/** Puts the workarounds in place (offline's once per process: its classes are shared). */
export function useUpstreamInternals(internals: UpstreamInternals, workarounds: UpstreamWorkarounds): void {
  const pool = internals.functionPool as FunctionPoolPrototype & { [applied]?: true };
  if (!pool[applied]) {
    pool[applied] = true;
    pool.get = limitedPoolGet(answeringInitFailures(pool.get, isInitFailure), workarounds.limitFor);
    internals.eventBuilder.create = verifiedAuthorizerOnly(internals.eventBuilder.create);
  }
  const plugin = internals.esbuildPlugin;
  if (plugin) plugin.bundle = bundleInOneBuild(plugin, workarounds.esbuild, workarounds.onBuilt);
}
