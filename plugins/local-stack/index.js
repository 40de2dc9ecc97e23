'use strict';
// The local stack's serverless plugin. Its logic is TypeScript (plugins/local-stack/plugin.ts); this shim bundles
// it with esbuild and delegates to it, and only for `offline` commands and `invoke local --stage
// local`, so `sls package`, `deploy`, `print` and other stages never load it.
const { join } = require('node:path');
const { renameSync, mkdirSync, readdirSync, statSync } = require('node:fs');

const serviceRoot = join(__dirname, '..', '..');

function commandsOf(serverless) {
  return (serverless.processedInput && serverless.processedInput.commands) || [];
}

/** True when the framework is running an `offline` command (`sls offline start`). */
function isOfflineCommand(serverless) {
  return commandsOf(serverless)[0] === 'offline';
}

/** True for `sls invoke local --stage local`, whose environments the plugin resolves locally. */
function isLocalInvokeCommand(serverless, options) {
  const [command, subcommand] = commandsOf(serverless);
  const stage = (options && options.stage) || serverless.service.provider.stage;
  return command === 'invoke' && subcommand === 'local' && stage === 'local';
}

/** The newest modification time among the TypeScript sources under `directory`. */
function newestSourceTime(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function modifiedTime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** The bundle's exports once loaded (the authentication provider shim reaches the same instance). */
let loadedImplementation;

/**
 * Bundles plugins/local-stack/plugin.ts into .intake/build/ when a source changed since the last bundle (the
 * rename is atomic: parallel starts may race) and loads it.
 */
function loadPluginImplementation() {
  const outdir = join(serviceRoot, '.intake', 'build');
  const outfile = join(outdir, 'local-stack-plugin.js');
  // The bundle holds this folder's sources and the shipped code they import from src/.
  const newestSource = Math.max(newestSourceTime(__dirname), newestSourceTime(join(serviceRoot, 'src')));
  if (modifiedTime(outfile) < newestSource) {
    const temporary = `${outfile}.${process.pid}.tmp`;
    mkdirSync(outdir, { recursive: true });
    require('esbuild').buildSync({
      entryPoints: [join(__dirname, 'plugin.ts')],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      packages: 'external',
      logLevel: 'error',
    });
    renameSync(temporary, outfile);
  }
  loadedImplementation = require(outfile);
  return loadedImplementation.LocalStackPlugin;
}

class LocalStackPlugin {
  constructor(serverless, options, io) {
    this.hooks = {};
    if (!isOfflineCommand(serverless) && !isLocalInvokeCommand(serverless, options)) return;
    const Implementation = loadPluginImplementation();
    const implementation = new Implementation(serverless, options, io);
    this.hooks = implementation.hooks;
  }
}

module.exports = LocalStackPlugin;
module.exports.isOfflineCommand = isOfflineCommand;
module.exports.isLocalInvokeCommand = isLocalInvokeCommand;
/** The loaded bundle's exports (undefined before the plugin ran in this process). */
module.exports.loadedImplementation = () => loadedImplementation;
