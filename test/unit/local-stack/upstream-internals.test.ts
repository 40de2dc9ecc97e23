import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EsbuildPluginLike } from '../../../plugins/local-stack/single-build';
import {
  isInitFailure,
  loadUpstreamInternals,
  sameMinor,
  UpstreamInternalsError,
  useUpstreamInternals,
  WRITTEN_FOR,
} from '../../../plugins/local-stack/upstream-internals';
import { offlineModuleStandIns } from '../../helpers/offline-module-stand-ins';

const RUNTIME_LOADER = 'src/lambda/handler-runner/in-process-runner/aws-lambda-ric/UserFunction.js';

/** A service folder whose node_modules hold the given upstream versions (with just enough files to resolve). */
function serviceWith(versions: { offline?: string; esbuild?: string }, options: { loader?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'intake-upstream-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('package.json', '{"name":"service"}');
  if (versions.offline !== undefined) {
    const root = 'node_modules/serverless-offline';
    write(
      `${root}/package.json`,
      JSON.stringify({
        name: 'serverless-offline',
        version: versions.offline,
        exports: { '.': './src/index.js' },
      }),
    );
    write(`${root}/src/index.js`, '');
    // A nested package.json without a name (offline's own tests have some): not the package's root.
    write(`${root}/src/package.json`, '{"type":"module"}');
    if (options.loader !== false) write(`${root}/${RUNTIME_LOADER}`, '');
  }
  if (versions.esbuild !== undefined) {
    const root = 'node_modules/serverless-esbuild';
    write(
      `${root}/package.json`,
      JSON.stringify({ name: 'serverless-esbuild', version: versions.esbuild, main: 'dist/index.js' }),
    );
    write(`${root}/dist/index.js`, '');
  }
  return dir;
}

const written = { offline: WRITTEN_FOR['serverless-offline'], esbuild: WRITTEN_FOR['serverless-esbuild'] };
const services: string[] = [];
const service = (...args: Parameters<typeof serviceWith>) => {
  const dir = serviceWith(...args);
  services.push(dir);
  return dir;
};
afterAll(() => services.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function esbuildPluginShape(): EsbuildPluginLike {
  return {
    functionEntries: [],
    plugins: [],
    buildDirPath: '/build',
    prepare: () => {},
    bundle: async () => {},
  };
}

describe('loadUpstreamInternals: npm start stops at once, naming the version each workaround was written for', () => {
  it('refuses another serverless-offline minor, naming the version expected and the one found', async () => {
    const dir = service({ offline: '15.0.0' });
    await expect(loadUpstreamInternals(dir, undefined, offlineModuleStandIns)).rejects.toThrow(
      new UpstreamInternalsError(
        `local stack: plugins/local-stack/upstream-internals.ts was written for serverless-offline ${written.offline} and found serverless-offline 15.0.0: install serverless-offline ${written.offline}, or check what that module uses against the version found and update it.`,
      ),
    );
  });

  it('says serverless-offline is not installed when it cannot be resolved, or has no manifest of its name', async () => {
    await expect(loadUpstreamInternals(service({}), undefined, offlineModuleStandIns)).rejects.toThrow(
      `found serverless-offline (not installed)`,
    );
    const nameless = service({});
    mkdirSync(join(nameless, 'node_modules', 'serverless-offline'), { recursive: true });
    writeFileSync(
      join(nameless, 'node_modules', 'serverless-offline', 'package.json'),
      '{"main":"index.js"}',
    );
    writeFileSync(join(nameless, 'node_modules', 'serverless-offline', 'index.js'), '');
    await expect(loadUpstreamInternals(nameless, undefined, offlineModuleStandIns)).rejects.toThrow(
      `found serverless-offline (not installed)`,
    );
  });

  it('names every internal part that is not the shape it relies on', async () => {
    const dir = service({ offline: written.offline }, { loader: false });
    const shapeless = async () => ({ default: class {} });
    await expect(loadUpstreamInternals(dir, undefined, shapeless)).rejects.toThrow(
      `found serverless-offline ${written.offline} without LambdaFunctionPool.prototype.get, LambdaFunction (status, setEvent, runHandler, cleanup), LambdaProxyIntegrationEventV2.prototype.create, aws-lambda-ric/UserFunction.js:`,
    );
    const unloadable = () => Promise.reject(new Error('no such module'));
    await expect(loadUpstreamInternals(dir, undefined, unloadable)).rejects.toThrow(
      'without LambdaFunctionPool.prototype.get',
    );
  });

  it('accepts another patch release of the same minor, whose shapes it checks', async () => {
    const [major, minor] = written.offline.split('.');
    const dir = service({ offline: `${major}.${minor}.99` });
    const internals = await loadUpstreamInternals(dir, undefined, offlineModuleStandIns);
    expect(typeof internals.functionPool.get).toBe('function');
    expect(typeof internals.eventBuilder.create).toBe('function');
    expect(internals.esbuildPlugin).toBeUndefined();
  });

  it('refuses another serverless-esbuild minor, or a plugin instance without the shape it relies on', async () => {
    await expect(
      loadUpstreamInternals(
        service({ offline: written.offline, esbuild: '1.58.0' }),
        esbuildPluginShape(),
        offlineModuleStandIns,
      ),
    ).rejects.toThrow(
      `was written for serverless-esbuild ${written.esbuild} and found serverless-esbuild 1.58.0:`,
    );
    const dir = service({ offline: written.offline, esbuild: written.esbuild });
    await expect(loadUpstreamInternals(dir, { bundle: () => {} }, offlineModuleStandIns)).rejects.toThrow(
      `found serverless-esbuild ${written.esbuild} whose plugin has no bundle, prepare, functionEntries and buildDirPath:`,
    );
    const plugin = esbuildPluginShape();
    await expect(loadUpstreamInternals(dir, plugin, offlineModuleStandIns)).resolves.toMatchObject({
      esbuildPlugin: plugin,
    });
  });

  it('finds the versions installed in this checkout to be the ones it was written for', async () => {
    const serviceDir = join(__dirname, '..', '..', '..');
    await expect(
      loadUpstreamInternals(serviceDir, esbuildPluginShape(), offlineModuleStandIns),
    ).resolves.toBeDefined();
  });
});

describe('useUpstreamInternals', () => {
  it("puts offline's workarounds in place once per process and one build in serverless-esbuild's bundle()", async () => {
    const dir = service({ offline: written.offline, esbuild: written.esbuild });
    const plugin = esbuildPluginShape();
    const stockBundle = plugin.bundle;
    const internals = await loadUpstreamInternals(dir, plugin, offlineModuleStandIns);
    const stockGet = internals.functionPool.get;
    const stockCreate = internals.eventBuilder.create;
    const workarounds = { limitFor: () => 1, esbuild: { context: jest.fn() }, onBuilt: () => {} };
    useUpstreamInternals(internals, workarounds);
    const patchedGet = internals.functionPool.get;
    expect(patchedGet).not.toBe(stockGet);
    expect(internals.eventBuilder.create).not.toBe(stockCreate);
    expect(plugin.bundle).not.toBe(stockBundle);
    useUpstreamInternals(internals, workarounds);
    expect(internals.functionPool.get).toBe(patchedGet);
  });
});

describe('isInitFailure', () => {
  it("is true only for an error thrown while offline's runtime loader loaded the handler module", () => {
    const initError = new Error('Invalid configuration');
    initError.stack = `Error: Invalid configuration\n    at Object.<anonymous> (/s/.build/functions/a.js:1:1)\n    at _tryRequireFile (/s/node_modules/serverless-offline/${RUNTIME_LOADER}:84:43)`;
    expect(isInitFailure(initError)).toBe(true);
    expect(isInitFailure(new Error('thrown by the handler'))).toBe(false);
    expect(isInitFailure('a string')).toBe(false);
    expect(isInitFailure(null)).toBe(false);
  });
});

describe('sameMinor', () => {
  it('compares major and minor only', () => {
    expect(sameMinor('14.8.5', '14.8.0')).toBe(true);
    expect(sameMinor('14.8.5', '14.9.0')).toBe(false);
    expect(sameMinor('14.8.5', '15.8.5')).toBe(false);
  });
});
