import { instanceLimit } from './function-pool-limit';
import type { LocalLog } from './log';
import { addFixtures, type FixtureDefinitions, type MutableService } from './fixtures';
import { LocalStack } from './local-stack';
import type { CfnResource } from './provision';
import type { FunctionDefinition } from './service-model';
import { portInUse } from './port-in-use';
import {
  LocalSettingsError,
  OFFLINE_PORT_VARIABLES,
  readLocalStackSettings,
  type LocalStackSettings,
} from './settings';
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  handlerModule,
  initFailureMessage,
  initFailures,
  offlineFunctionEnvironment,
} from './function-init-check';
import { prepareLocalInvoke } from './invoke-local';
import {
  AuthorizerConfigError,
  jwtAuthorizersOf,
  readHttpApiRoutes,
  type HttpApiRoute,
} from './auth/authorizer-routes';
import { enforceRoutes } from './auth/offline-authentication';
import {
  loadUpstreamInternals,
  UpstreamInternalsError,
  useUpstreamInternals,
  type ModuleImporter,
} from './upstream-internals';

// The offline authentication provider (plugins/local-stack/authentication-provider.js) calls this, in the
// bundle the framework loaded.
export { authenticationProvider, isEnforcing } from './auth/offline-authentication';

/** The parts of the framework's `serverless` object the plugin uses. */
export interface ServerlessLike {
  processedInput?: { commands?: string[] };
  pluginManager?: { plugins: unknown[] };
  serviceDir?: string;
  config: { serviceDir?: string; servicePath?: string };
  classes: { Error: new (message: string) => Error };
  yamlParser: { parse(path: string): Promise<unknown> };
  service: MutableService & {
    provider: {
      stage: string;
      region: string;
      environment?: Record<string, unknown>;
      httpApi?: { authorizers?: Record<string, Record<string, unknown>> };
    };
    custom?: Record<string, unknown>;
    functions: Record<string, FunctionDefinition>;
    resources?: { Resources?: Record<string, CfnResource>; Conditions?: Record<string, unknown> };
  };
}

export interface PluginLogger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  notice(message: string): void;
}

export const FIXTURES_FILE = join('test', 'fixtures', 'serverless.fixtures.yml');

/** serverless-offline's public hook for route authentication, which the plugin points at its own provider. */
export const AUTHENTICATION_PROVIDER_FILE = join('plugins', 'local-stack', 'authentication-provider.js');

/** True for `sls invoke local` on the `local` stage (the only invoke the plugin takes part in). */
export function isLocalInvoke(
  serverless: { processedInput?: { commands?: string[] }; service: { provider: { stage: string } } },
  options: Record<string, unknown>,
): boolean {
  const [command, subcommand] = serverless.processedInput?.commands ?? [];
  const stage = String(options.stage ?? serverless.service.provider.stage);
  return command === 'invoke' && subcommand === 'local' && stage === 'local';
}

/**
 * The local-stack serverless plugin (loaded by plugins/local-stack/index.js, for `offline` commands
 * only): starts the emulators once serverless-offline listens, stops them before offline exits.
 */
export class LocalStackPlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  private stack: LocalStack | undefined;
  private starting: Promise<LocalStack> | undefined;
  private localSettings: LocalStackSettings | undefined;
  private routes: HttpApiRoute[] = [];
  private readonly serviceDir: string;
  private readonly log: LocalLog;

  constructor(
    private readonly serverless: ServerlessLike,
    private readonly options: Record<string, unknown>,
    private readonly io: { log: PluginLogger; writeText?: (text: string) => void },
    /** How a failed start ends the process (tests replace it). */
    private readonly exit: (code: number) => void = (code) => process.exit(code),
    /** How serverless-offline's modules are loaded (tests, which cannot `import()`, replace it). */
    private readonly importModule?: ModuleImporter,
  ) {
    this.serviceDir =
      serverless.serviceDir ?? serverless.config.serviceDir ?? serverless.config.servicePath ?? process.cwd();
    this.log = {
      info: (message) => io.log.info(`local stack: ${message}`),
      warning: (message) => io.log.warning(`local stack: ${message}`),
      error: (message) => io.log.error(`local stack: ${message}`),
    };
    if (isLocalInvoke(serverless, options)) {
      this.hooks = this.localInvokeHooks();
      return;
    }
    this.useOwnBuildFolder();
    this.hooks = {
      initialize: async () => {
        await this.refuseTakenOfflinePorts();
        await this.loadFixtures();
        await this.enforceAuthorizers();
        await this.useUpstreamInternals();
        this.beginStart();
      },
      'before:offline:start:init': async () => {
        await this.awaitStack();
        await this.refuseFunctionsThatCannotInitialise();
      },
      'after:offline:start:init': () => this.start(),
      'before:offline:start:end': () => this.stop(),
    };
  }

  /**
   * `sls invoke local --stage local`: environments must be local before the framework's
   * `before:invoke:local:loadEnvVars` (which would ask CloudFormation), so this runs at `initialize`.
   * The bundle goes to a folder of its own, so it never overwrites a running stack's bundles.
   */
  private localInvokeHooks(): Record<string, () => Promise<void>> {
    const buildFolder = join('.intake', `invoke-${process.pid}`);
    const custom = (this.serverless.service.custom ??= {});
    custom.esbuild = {
      ...(custom.esbuild as Record<string, unknown> | undefined),
      outputWorkFolder: buildFolder,
    };
    return {
      initialize: async () => {
        const { service } = this.serverless;
        service.provider.environment ??= {};
        const prepared = prepareLocalInvoke(
          {
            service: service.service,
            stage: this.stage(),
            region: service.provider.region,
            functions: service.functions,
            providerEnvironment: service.provider.environment,
            resources: service.resources?.Resources ?? {},
            conditions: service.resources?.Conditions ?? {},
            lambdaEndpoint: `http://${this.offlineSetting('host', 'localhost')}:${this.offlineSetting('lambdaPort', '3002')}`,
          },
          { settings: this.settings(), shellEnv: process.env, log: this.log },
        );
        Object.assign(process.env, prepared.processEnv);
        this.log.info(`invoking against the ${prepared.source} (S3 ${prepared.endpoints.s3})`);
      },
      'after:invoke:local:invoke': async () => {
        rmSync(join(this.serviceDir, buildFolder), { recursive: true, force: true });
      },
    };
  }

  /**
   * Two stacks started from one checkout (a developer's and a test's) must not share serverless-esbuild's
   * work folder: the first to stop deletes it under the other. INTAKE_BUILD_DIR gives each its own.
   * Its hot-reload watcher must not watch build output either (ours, another stack's, coverage…),
   * or every bundle written anywhere would rebuild every running stack.
   */
  private useOwnBuildFolder(): void {
    const custom = (this.serverless.service.custom ??= {});
    const esbuild = { ...(custom.esbuild as Record<string, unknown> | undefined) };
    const folder = process.env.INTAKE_BUILD_DIR;
    if (folder) esbuild.outputWorkFolder = folder;
    const watch = (esbuild.watch ?? {}) as { ignore?: string[] };
    if (!watch.ignore) {
      esbuild.watch = {
        ...watch,
        ignore: [
          '.esbuild',
          '.build',
          'dist',
          'node_modules',
          '.intake',
          '.serverless',
          'coverage',
          'scratch',
          '.git',
        ],
      };
    }
    custom.esbuild = esbuild;
  }

  /**
   * Makes offline enforce the routes' JWT authorizers as API Gateway does: reads every httpApi route and
   * its authorizer now (offline rewrites the events in place later), then points offline's public
   * `custom.offline.customAuthenticationProvider` at the local stack's provider (its authorizer context is
   * made impossible to forge by upstream-internals.ts). Anything that would
   * leave a route less protected than on AWS stops npm start with one line.
   */
  private async enforceAuthorizers(): Promise<void> {
    const { service } = this.serverless;
    const fail = (message: string) => new this.serverless.classes.Error(`local stack: ${message}`);
    if (process.env.AUTHORIZER !== undefined) {
      throw fail(
        'AUTHORIZER is set: serverless-offline would hand its value to every function as the verified authorizer. Unset it; tokens come from the local issuer (npm run token).',
      );
    }
    const custom = (service.custom ??= {});
    const offline = (custom.offline ?? {}) as Record<string, unknown>;
    const ownProvider = join(this.serviceDir, AUTHENTICATION_PROVIDER_FILE);
    if (
      offline.customAuthenticationProvider !== undefined &&
      offline.customAuthenticationProvider !== ownProvider
    ) {
      throw fail(
        `custom.offline.customAuthenticationProvider is already ${JSON.stringify(offline.customAuthenticationProvider)}: the local stack enforces the JWT authorizers through it and will not replace yours. Remove it.`,
      );
    }
    try {
      this.routes = readHttpApiRoutes(service.functions, service.provider.httpApi?.authorizers ?? {});
    } catch (error) {
      if (error instanceof AuthorizerConfigError) throw fail(error.message);
      throw error;
    }
    enforceRoutes(this.routes);
    custom.offline = {
      ...offline,
      customAuthenticationProvider: join(this.serviceDir, AUTHENTICATION_PROVIDER_FILE),
    };
  }

  /** The local issuer the stack serves: the one loopback issuer of the routes' JWT authorizers. */
  private issuerOfRoutes(): { issuerUrl: string; audience: string; scopes: string[] } | undefined {
    const authorizers = jwtAuthorizersOf(this.routes);
    if (authorizers.length === 0) return undefined;
    const issuers = new Set(authorizers.map((authorizer) => authorizer.issuerUrl));
    if (issuers.size > 1) {
      throw new this.serverless.classes.Error(
        `local stack: the JWT authorizers name ${issuers.size} issuers (${[...issuers].join(', ')}); npm start serves one`,
      );
    }
    const scopes = [...new Set(this.routes.flatMap((route) => route.authorizer?.scopes ?? []))].sort();
    return { issuerUrl: authorizers[0]!.issuerUrl, audience: authorizers[0]!.audiences[0]!, scopes };
  }

  /**
   * serverless-offline binds its HTTP and Lambda ports itself, and a taken one ends in a raw EADDRINUSE
   * stack. Checked before anything starts, a taken port stops npm start with one line naming its
   * variable, as the emulators' ports do.
   */
  private async refuseTakenOfflinePorts(): Promise<void> {
    const host = this.offlineSetting('host', 'localhost');
    for (const [setting, { variable, listener, fallback }] of Object.entries(OFFLINE_PORT_VARIABLES)) {
      const port = Number(this.offlineSetting(setting, fallback));
      if (Number.isInteger(port) && port > 0 && (await portInUse(host, port))) {
        throw new this.serverless.classes.Error(
          `local stack: the ${listener} could not start on ${host}:${port}: port ${port} is already in use. Free the port or choose another with ${variable}=<port>.`,
        );
      }
    }
  }

  /**
   * Checks the upstream versions and shapes the local stack's workarounds were written for, then puts
   * them in place (see upstream-internals.ts): a mismatch stops npm start here, with one line.
   */
  private async useUpstreamInternals(): Promise<void> {
    const { singleBuild, functionConcurrency } = this.settings();
    const esbuildPlugin = singleBuild
      ? this.serverless.pluginManager?.plugins.find(
          (plugin) => (plugin as object | undefined)?.constructor?.name === 'EsbuildServerlessPlugin',
        )
      : undefined;
    if (singleBuild && esbuildPlugin === undefined)
      this.log.info('serverless-esbuild is not loaded: functions are bundled as serverless.yml says');
    let internals;
    try {
      internals = await loadUpstreamInternals(this.serviceDir, esbuildPlugin, this.importModule);
    } catch (error) {
      if (error instanceof UpstreamInternalsError) throw new this.serverless.classes.Error(error.message);
      throw error;
    }
    useUpstreamInternals(internals, {
      // A function's reserved concurrency caps it locally as on AWS (what waits beyond it is not lost).
      limitFor: (functionKey) =>
        instanceLimit(
          functionConcurrency,
          this.serverless.service.functions[functionKey] as { reservedConcurrency?: unknown } | undefined,
        ),
      esbuild,
      onBuilt: (entries, milliseconds) =>
        this.log.info(`bundled ${entries} functions in one esbuild build (${milliseconds} ms)`),
    });
  }

  /** The INTAKE_* settings, read once; a bad variable stops the command with its one line, not a stack trace. */
  private settings(): LocalStackSettings {
    if (this.localSettings === undefined) {
      try {
        this.localSettings = readLocalStackSettings(process.env, this.serviceDir);
      } catch (error) {
        if (error instanceof LocalSettingsError) throw new this.serverless.classes.Error(error.message);
        throw error;
      }
    }
    return this.localSettings;
  }

  private async loadFixtures(): Promise<void> {
    if (!this.settings().fixtures) return;
    const fixtures = (await this.serverless.yamlParser.parse(
      join(this.serviceDir, FIXTURES_FILE),
    )) as FixtureDefinitions;
    const added = addFixtures(this.serverless.service, this.stage(), fixtures);
    this.io.log.notice(`local stack: fixture functions loaded (${added.join(', ')})`);
  }

  private stage(): string {
    return String(this.options.stage ?? this.serverless.service.provider.stage);
  }

  private offlineSetting(name: string, fallback: string): string {
    const custom = (this.serverless.service.custom?.['serverless-offline'] ?? {}) as Record<string, unknown>;
    return String(this.options[name] ?? custom[name] ?? fallback);
  }

  /**
   * Starts emulators, resources and function environments while serverless-esbuild bundles (the two
   * overlap), so everything is in place before offline listens. Never rejects: `awaitStack` reports.
   */
  private beginStart(): void {
    const { service } = this.serverless;
    const host = this.offlineSetting('host', 'localhost');
    service.provider.environment ??= {};
    const issuer = this.issuerOfRoutes();
    this.starting = (async () =>
      LocalStack.start(
        {
          service: service.service,
          stage: this.stage(),
          region: service.provider.region,
          functions: service.functions,
          providerEnvironment: service.provider.environment!,
          resources: service.resources?.Resources ?? {},
          conditions: service.resources?.Conditions ?? {},
          httpUrl: `http://${host}:${this.offlineSetting('httpPort', '3000')}`,
          lambdaEndpoint: `http://${host}:${this.offlineSetting('lambdaPort', '3002')}`,
          ...(issuer ? { issuer } : {}),
        },
        { settings: this.settings(), log: this.log, startEventSources: false },
      ))();
    this.starting.catch(() => undefined);
  }

  /** Waits for the stack started by `beginStart`; on failure, reports one clear error and exits non-zero. */
  private async awaitStack(): Promise<LocalStack> {
    if (!this.starting) this.beginStart();
    try {
      this.stack = await this.starting!;
      return this.stack;
    } catch (error) {
      // LocalStackStartError and LocalSettingsError carry the one line to show; anything else is a bug
      // whose message is still better than a hang.
      throw await this.failStart((error as Error).message);
    }
  }

  /**
   * Ends a start that cannot go on: stops what started and esbuild's service, then exits non-zero once
   * the framework has printed the returned error (offline's servers or serverless-esbuild's watcher
   * would keep the process alive).
   */
  private async failStart(message: string): Promise<Error> {
    await this.stop();
    setTimeout(() => this.exit(1), 200).unref();
    return new this.serverless.classes.Error(message);
  }

  /**
   * Once serverless-esbuild has bundled and the stack has resolved every environment: loads each
   * function's bundle with its environment, as a Lambda init does. A function that cannot initialise (a
   * bad variable: the config loader names each) stops npm start with what it threw, rather than serve
   * 503s; offline does not listen yet.
   */
  private async refuseFunctionsThatCannotInitialise(): Promise<void> {
    const { service } = this.serverless;
    const codeDir = resolve(this.serviceDir, this.offlineSetting('location', ''));
    const failures = await initFailures(
      Object.entries(service.functions)
        .filter(([, definition]) => typeof definition.handler === 'string')
        .map(([functionKey, definition]) => ({
          functionKey,
          module: handlerModule(codeDir, definition.handler!),
          environment: offlineFunctionEnvironment(
            process.env,
            service.provider.environment,
            definition.environment,
          ),
        })),
    );
    if (failures.length > 0) throw await this.failStart(initFailureMessage(failures));
  }

  /** Once offline's Lambda API listens: start delivering SQS batches and print the banner. */
  private async start(): Promise<void> {
    const stack = await this.awaitStack();
    stack.startEventSources();
    const banner = stack.announce();
    if (this.io.writeText) this.io.writeText(banner);
    else this.io.log.notice(banner);
  }

  /**
   * Stops the stack, then esbuild's service: a process that exits while the service waits on a request
   * of its own (its keep-alive ping) makes it print a goroutine dump ("all goroutines are asleep").
   */
  private async stop(): Promise<void> {
    const stack = this.stack ?? (await this.starting?.catch(() => undefined));
    await stack?.stop();
    this.stack = undefined;
    await esbuild.stop();
  }
}
