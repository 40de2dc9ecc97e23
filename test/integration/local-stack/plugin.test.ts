import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { LocalStackState } from '../../../plugins/local-stack/state';
import { LocalStackPlugin, type ServerlessLike } from '../../../plugins/local-stack/plugin';
import type { FunctionDefinition } from '../../../plugins/local-stack/service-model';
import { freePort } from '../../helpers/local-stack-process';
import { offlineModuleStandIns } from '../../helpers/offline-module-stand-ins';

jest.setTimeout(30_000);

const serviceDir = join(__dirname, '..', '..', '..');
type YamlParserClass = new (serverless: unknown) => { parse(path: string): Promise<unknown> };
const YamlParser = jest.requireActual<YamlParserClass>('serverless/lib/classes/yaml-parser');
const readYaml = jest.requireActual<(path: string) => unknown>('serverless/lib/utils/fs/read-file-sync');

class FrameworkError extends Error {}

/** The plugin, with serverless-offline's modules loaded as stand-ins (jest cannot import them). */
function newPlugin(...[serverless, options, io, exit]: ConstructorParameters<typeof LocalStackPlugin>) {
  return new LocalStackPlugin(serverless, options, io, exit, offlineModuleStandIns);
}

function fakeServerless(commands: string[] = ['offline', 'start']) {
  const functions: Record<string, FunctionDefinition> = {
    health: {
      name: 'intake-local-health',
      handler: 'functions/health.handler',
      environment: { DOCUMENTS_BUCKET: { Ref: 'DocumentsBucket' } },
    },
  };
  const serverless: ServerlessLike & { processedInput: { commands: string[] } } = {
    processedInput: { commands },
    serviceDir,
    config: {},
    classes: { Error: FrameworkError },
    yamlParser: new YamlParser({ utils: { readFileSync: readYaml } }),
    service: {
      service: 'intake',
      provider: {
        stage: 'local',
        region: 'us-east-1',
        environment: { STAGE: 'local' },
        // The authorizer the fixture routes name. Its port is apart from offline's (1 and 2): the stack
        // serves its issuer there, and offline's ports must be free at initialize.
        httpApi: {
          authorizers: {
            jwtAuthorizer: {
              type: 'jwt',
              identitySource: '$request.header.Authorization',
              issuerUrl: 'http://127.0.0.1:3',
              audience: ['intake-local'],
            },
          },
        },
      },
      custom: { 'serverless-offline': { host: '127.0.0.1', httpPort: '1', lambdaPort: '2' } },
      functions,
      resources: {
        Resources: {
          DocumentsBucket: { Type: 'AWS::S3::Bucket' },
          Disabled: { Type: 'AWS::S3::Bucket', Condition: 'Never' },
        },
        Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      },
    },
  };
  return serverless;
}

function fakeIo() {
  const output: string[] = [];
  const log = {
    info: (message: string) => output.push(message),
    warning: (message: string) => output.push(message),
    error: (message: string) => output.push(message),
    notice: (message: string) => output.push(message),
  };
  return { output, io: { log, writeText: (text: string) => output.push(text) } };
}

const variables = [
  'INTAKE_SINGLE_BUILD',
  'INTAKE_S3_PORT',
  'INTAKE_SQS_PORT',
  'INTAKE_DYNAMODB_PORT',
  'INTAKE_STATE_FILE',
  'INTAKE_FIXTURES',
  'INTAKE_BUILD_DIR',
  'INTAKE_FUNCTION_CONCURRENCY',
];
const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));

async function useFreePorts(): Promise<void> {
  process.env.INTAKE_S3_PORT = String(await freePort());
  process.env.INTAKE_SQS_PORT = String(await freePort());
  process.env.INTAKE_DYNAMODB_PORT = String(await freePort());
  process.env.INTAKE_STATE_FILE = join(serviceDir, '.intake', `plugin-test-${process.pid}.json`);
}

afterEach(() => {
  for (const name of variables) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('plugins/local-stack/index.js (the shim the framework loads)', () => {
  const Shim = jest.requireActual<new (...args: unknown[]) => { hooks: Record<string, unknown> }>(
    '../../../plugins/local-stack',
  );

  it.each([['package'], ['deploy'], ['print']])('registers no hook for `sls %s`', (command) => {
    expect(new Shim(fakeServerless([command]), {}, fakeIo().io).hooks).toEqual({});
  });

  it('registers no hook for `sls invoke local` on another stage', () => {
    expect(new Shim(fakeServerless(['invoke', 'local']), { stage: 'dev' }, fakeIo().io).hooks).toEqual({});
  });

  it('registers the invoke hooks for `sls invoke local --stage local`', () => {
    const shim = new Shim(fakeServerless(['invoke', 'local']), { stage: 'local' }, fakeIo().io);
    expect(Object.keys(shim.hooks).sort()).toEqual(['after:invoke:local:invoke', 'initialize']);
  });

  it('rebuilds the TypeScript plugin when its sources are newer and registers its offline hooks', () => {
    const bundle = join(serviceDir, '.intake', 'build', 'local-stack-plugin.js');
    if (existsSync(bundle)) utimesSync(bundle, 0, 0);
    const shim = new Shim(fakeServerless(), {}, fakeIo().io);
    expect(Object.keys(shim.hooks).sort()).toEqual([
      'after:offline:start:init',
      'before:offline:start:end',
      'before:offline:start:init',
      'initialize',
    ]);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('LocalStackPlugin', () => {
  it('refuses a bad INTAKE_* variable with its one-line message, before starting anything', async () => {
    process.env.INTAKE_FUNCTION_CONCURRENCY = 'many';
    const serverless = fakeServerless();
    const attempt = newPlugin(serverless, {}, fakeIo().io).hooks.initialize!();
    await expect(attempt).rejects.toBeInstanceOf(FrameworkError);
    await expect(attempt).rejects.toThrow(
      'INTAKE_FUNCTION_CONCURRENCY=many is not a whole number of at least 1',
    );
  });

  it('loads the fixture functions and resources only with INTAKE_FIXTURES=true', async () => {
    const serverless = fakeServerless();
    await newPlugin(serverless, {}, fakeIo().io).hooks.initialize!();
    expect(Object.keys(serverless.service.functions)).toEqual(['health']);

    process.env.INTAKE_FIXTURES = 'true';
    await newPlugin(serverless, {}, fakeIo().io).hooks.initialize!();
    expect(serverless.service.functions['fixture-sqs-consumer']).toMatchObject({
      name: 'intake-local-fixture-sqs-consumer',
      handler: 'test/fixtures/functions/sqs-consumer.handler',
    });
    expect(serverless.service.functions['fixture-s3-consumer']!.events![0]).toMatchObject({
      s3: { bucket: { Ref: 'DocumentsBucket' }, rules: [{ prefix: 'fixtures/' }] },
    });
    expect(serverless.service.resources!.Resources).toHaveProperty('FixtureQueue');
  });

  it('gives serverless-esbuild its own work folder (INTAKE_BUILD_DIR) and keeps its watcher off build output', () => {
    process.env.INTAKE_BUILD_DIR = '.intake/run-x';
    const serverless = fakeServerless();
    newPlugin(serverless, {}, fakeIo().io);
    expect(serverless.service.custom!.esbuild).toEqual({
      outputWorkFolder: '.intake/run-x',
      watch: { ignore: expect.arrayContaining(['.esbuild', 'node_modules', '.intake', 'coverage']) },
    });
  });

  it('keeps a watch ignore list the project set itself', () => {
    const serverless = fakeServerless();
    serverless.service.custom!.esbuild = { minify: true, watch: { ignore: ['mine'] } };
    newPlugin(serverless, {}, fakeIo().io);
    expect(serverless.service.custom!.esbuild).toEqual({ minify: true, watch: { ignore: ['mine'] } });
  });

  describe('bundling', () => {
    /** Stands in for serverless-esbuild's plugin instance (recognised by its class name and shape). */
    class EsbuildServerlessPlugin {
      readonly stockBundle = jest.fn(async () => {});
      bundle = this.stockBundle;
      prepare = jest.fn();
      functionEntries = [];
      buildDirPath = '/b';
    }

    async function initializeWith(plugins: unknown[]) {
      await useFreePorts();
      const serverless = { ...fakeServerless(), pluginManager: { plugins } };
      const { io, output } = fakeIo();
      const plugin = newPlugin(serverless, {}, io);
      await plugin.hooks.initialize!();
      await plugin.hooks['before:offline:start:end']!();
      return output;
    }

    it("replaces serverless-esbuild's per-function builds with one build", async () => {
      const esbuildPlugin = new EsbuildServerlessPlugin();
      await initializeWith([{}, esbuildPlugin]);
      expect(esbuildPlugin.bundle).not.toBe(esbuildPlugin.stockBundle);
    });

    it('keeps the stock builds with INTAKE_SINGLE_BUILD=false', async () => {
      process.env.INTAKE_SINGLE_BUILD = 'false';
      const esbuildPlugin = new EsbuildServerlessPlugin();
      await initializeWith([esbuildPlugin]);
      expect(esbuildPlugin.bundle).toBe(esbuildPlugin.stockBundle);
    });

    it('says so when serverless-esbuild is not loaded, and starts', async () => {
      const output = await initializeWith([]);
      expect(output.join('\n')).toContain('serverless-esbuild is not loaded');
    });

    it('stops at initialize, naming the version it was written for, when serverless-esbuild is not the shape it knows', async () => {
      class EsbuildServerlessPlugin {
        bundle = jest.fn(async () => {});
      }
      await expect(initializeWith([new EsbuildServerlessPlugin()])).rejects.toThrow(
        /^local stack: plugins\/local-stack\/upstream-internals.ts was written for serverless-esbuild 1\.57\.2 and found serverless-esbuild 1\.57\.2 whose plugin has no bundle, prepare, functionEntries and buildDirPath: /,
      );
    });
  });

  it('starts the stack once offline listens, prints the banner, writes the state file, and stops it', async () => {
    await useFreePorts();
    const serverless = fakeServerless();
    const { io, output } = fakeIo();
    // Without writeText (older frameworks) the banner goes to the notice log.
    const plugin = newPlugin(serverless, { lambdaPort: '3999' }, { log: io.log });
    // The framework's order: initialize (start begins, overlapping the bundling), before init
    // (everything in place before offline listens), after init (event sources, banner).
    await plugin.hooks.initialize!();
    await plugin.hooks['before:offline:start:init']!();
    expect(serverless.service.functions.health!.environment).toEqual({
      DOCUMENTS_BUCKET: 'intake-local-documentsbucket',
    });
    await plugin.hooks['after:offline:start:init']!();
    try {
      const stateFile = process.env.INTAKE_STATE_FILE!;
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalStackState;
      expect(state.lambda.endpoint).toBe('http://127.0.0.1:3999');
      expect(state.http.url).toBe('http://127.0.0.1:1');
      expect(state.resources.buckets.map((bucket) => bucket.name)).toEqual(['intake-local-documentsbucket']);
      expect(output.join('\n')).toContain('intake local stack (stage local, region us-east-1) is ready');
      expect(serverless.service.functions.health!.environment).toEqual({
        DOCUMENTS_BUCKET: 'intake-local-documentsbucket',
      });
      expect(serverless.service.provider.environment).toMatchObject({
        STAGE: 'local',
        AWS_ENDPOINT_URL_S3: state.emulators.s3.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: state.lambda.functionEndpoint,
      });
    } finally {
      await plugin.hooks['before:offline:start:end']!();
    }
    expect(existsSync(process.env.INTAKE_STATE_FILE!)).toBe(false);
  });

  it('stops a stack still starting when offline is stopped early', async () => {
    await useFreePorts();
    const plugin = newPlugin(fakeServerless(), {}, fakeIo().io);
    await plugin.hooks.initialize!();
    await plugin.hooks['before:offline:start:end']!();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(Number(process.env.INTAKE_SQS_PORT), '127.0.0.1', () => probe.close(() => resolve()));
    });
  });

  describe('when it cannot start', () => {
    let blocker: Server;
    afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

    it('names the busy port and the variable to change, and exits non-zero', async () => {
      await useFreePorts();
      const busyPort = Number(process.env.INTAKE_SQS_PORT);
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
      const exit = jest.fn();
      const plugin = newPlugin(fakeServerless(), {}, fakeIo().io, exit);
      const failure = plugin.hooks['after:offline:start:init']!();
      await expect(failure).rejects.toBeInstanceOf(FrameworkError);
      await expect(failure).rejects.toThrow(`127.0.0.1:${busyPort}`);
      await expect(failure).rejects.toThrow('INTAKE_SQS_PORT=<port>');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(exit).toHaveBeenCalledWith(1);
      // The S3 emulator it had already started is stopped again: its port is free.
      const s3Port = Number(process.env.INTAKE_S3_PORT);
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(s3Port, '127.0.0.1', () => probe.close(() => resolve()));
      });
    });

    it("stops before offline starts when a function's bundle throws at init, with what it threw, and exits non-zero", async () => {
      await useFreePorts();
      // Where serverless-esbuild tells offline the bundles are: a health bundle whose config is invalid.
      const location = mkdtempSync(join(tmpdir(), 'intake-bundles-'));
      mkdirSync(join(location, 'functions'));
      writeFileSync(
        join(location, 'functions', 'health.js'),
        `if (process.env.STAGE !== 'local' || !process.env.DOCUMENTS_BUCKET) throw new Error('unexpected environment');
         throw new Error('Invalid configuration:\\n  - HEALTH_CHECK_TIMEOUT_MS is invalid');`,
      );
      const serverless = fakeServerless();
      (serverless.service.custom!['serverless-offline'] as Record<string, string>).location = location;
      const exit = jest.fn();
      const plugin = newPlugin(serverless, {}, fakeIo().io, exit);
      try {
        await plugin.hooks.initialize!();
        const failure = plugin.hooks['before:offline:start:init']!();
        await expect(failure).rejects.toBeInstanceOf(FrameworkError);
        await expect(failure).rejects.toThrow(
          'local stack: a function cannot initialise (on AWS every invocation would fail):\n  health: Invalid configuration:\n      - HEALTH_CHECK_TIMEOUT_MS is invalid',
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(exit).toHaveBeenCalledWith(1);
      } finally {
        rmSync(location, { recursive: true, force: true });
      }
    });

    it('names INTAKE_S3_PORT when the public S3 port (the POST-policy proxy) is taken', async () => {
      await useFreePorts();
      const busyPort = Number(process.env.INTAKE_S3_PORT);
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
      const plugin = newPlugin(fakeServerless(), {}, fakeIo().io, jest.fn());
      await expect(plugin.hooks['after:offline:start:init']!()).rejects.toThrow(
        `port ${busyPort} is already in use. Free the port or choose another with INTAKE_S3_PORT=<port>.`,
      );
    });

    it.each([
      ['httpPort', 'INTAKE_HTTP_PORT', 'HTTP API'],
      ['lambdaPort', 'INTAKE_LAMBDA_PORT', 'Lambda API'],
    ])(
      "names %s's variable when serverless-offline's port is taken, before anything starts",
      async (setting, variable, listener) => {
        await useFreePorts();
        const busyPort = await freePort();
        blocker = createServer();
        await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
        const serverless = fakeServerless();
        (serverless.service.custom!['serverless-offline'] as Record<string, string>)[setting] =
          String(busyPort);
        const plugin = newPlugin(serverless, {}, fakeIo().io, jest.fn());
        const failure = plugin.hooks.initialize!();
        await expect(failure).rejects.toBeInstanceOf(FrameworkError);
        await expect(failure).rejects.toThrow(
          `local stack: the ${listener} could not start on 127.0.0.1:${busyPort}: port ${busyPort} is already in use. Free the port or choose another with ${variable}=<port>.`,
        );
        // Nothing was started: the emulators' ports are still free.
        const probe = createServer();
        await new Promise<void>((resolve, reject) => {
          probe.once('error', reject);
          probe.listen(Number(process.env.INTAKE_SQS_PORT), '127.0.0.1', () => probe.close(() => resolve()));
        });
      },
    );

    it('reports an invalid port variable the same way', async () => {
      process.env.INTAKE_S3_PORT = 'nope';
      const exit = jest.fn();
      const plugin = newPlugin(fakeServerless(), {}, fakeIo().io, exit);
      await expect(plugin.hooks['after:offline:start:init']!()).rejects.toThrow('INTAKE_S3_PORT=nope');
    });
  });
});
