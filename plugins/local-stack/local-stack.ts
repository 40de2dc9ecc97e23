import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { IssuerUrlError, startLocalIssuer, type LocalIssuer } from './auth/local-issuer';
import type { EmulatorClients } from './emulator-clients';
import { createEmulatorClients } from './emulator-clients';
import type { EmulatorKind, RunningEmulator } from './emulator-process';
import { EmulatorStartError, startEmulator } from './emulator-process';
import { handlerCredentials, LOCAL_CREDENTIALS } from './handler-environment';
import { startAuthenticatedS3 } from './authenticated-s3';
import type { PostCredentials } from './s3-proxy/post-signature';
import type { Invoker } from './invoker';
import { createOfflineInvoker } from './invoker';
import { startLocalLambdaApi, type LocalLambdaApi } from './lambda-api';
import { EicarOnlyScanStandIn, readProtectionPlans } from './malware-scan/eicar-scan-stand-in';
import { LocalEventBus, readEventRules } from './malware-scan/event-rules';
import type { LocalLog } from './log';
import type { CfnResource, ProvisionedResources } from './provision';
import { ensureBuckets, provisionResources } from './provision';
import { readBucketNotifications } from './bucket-notifications';
import type { S3ObjectChange } from './s3-event';
import { changeFromS3rverEvent } from './s3-event';
import { S3Notifier } from './s3-notifier';
import type { FunctionDefinition } from './service-model';
import {
  asyncInvokePolicy,
  functionResourceValues,
  readS3Subscriptions,
  localizeEnvironments,
  readSqsMappings,
} from './service-model';
import type { LocalStackSettings } from './settings';
import { PORT_VARIABLES } from './settings';
import { SqsEventSource, type SqsMapping } from './sqs-event-source';
import type { LocalStackState } from './state';
import { removeStateFile, renderBanner, writeStateFile } from './state';
import { CONSOLE_TOKEN_REQUEST, consoleLink, servesConsole } from './console-link';

/** The service as the framework resolved it: the local stack reads it and fills in local values. */
export interface ServiceView {
  service: string;
  stage: string;
  region: string;
  functions: Record<string, FunctionDefinition>;
  /** Mutated in place: intrinsics resolved, local endpoints added. */
  providerEnvironment: Record<string, unknown>;
  resources: Record<string, CfnResource>;
  /** The template's Conditions (resources.Conditions). */
  conditions?: Record<string, unknown>;
  httpUrl: string;
  lambdaEndpoint: string;
  /**
   * The issuer of the routes' JWT authorizer, which the stack serves itself (plugins/local-stack/auth/local-issuer.ts):
   * its issuerUrl, the audience of the tokens it signs, the scopes the routes use. None: no issuer.
   */
  issuer?: { issuerUrl: string; audience: string; scopes: string[] };
}

export interface LocalStackOptions {
  settings: LocalStackSettings;
  log: LocalLog;
  /** How functions are run; serverless-offline's Lambda API unless a test injects in-process handlers. */
  invoke?: Invoker;
  /** The shell environment whose values win over local defaults (process.env). */
  shellEnv?: NodeJS.ProcessEnv;
  /** Long-poll wait of the SQS pollers (seconds). */
  sqsWaitTimeSeconds?: number;
  /**
   * Poll the queues as soon as the stack is up (default). The plugin says false and calls
   * `startEventSources()` once offline's Lambda API listens, so no batch is sent to a closed port.
   */
  startEventSources?: boolean;
}

/** The account id the emulators report in ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Raised when the stack cannot start; its message is the one line the developer needs. */
export class LocalStackStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackStartError';
  }
}

const EMULATOR_KINDS: EmulatorKind[] = ['s3', 'sqs', 'dynamodb'];

/**
 * The mappings with those of `paused` (function keys, INTAKE_PAUSED_SQS_MAPPINGS) disabled, as
 * `enabled: false` would: created, never polled. A key with no SQS mapping stops the start, since a typo
 * would otherwise leave the consumer running unnoticed.
 */
export function pauseMappings(
  mappings: SqsMapping[],
  paused: readonly string[],
  log: LocalLog,
): SqsMapping[] {
  const unknown = paused.filter((key) => !mappings.some((mapping) => mapping.functionKey === key));
  if (unknown.length > 0) {
    throw new LocalStackStartError(
      `INTAKE_PAUSED_SQS_MAPPINGS names ${unknown.join(', ')}, which has no sqs event here (functions with one: ${[...new Set(mappings.map((mapping) => mapping.functionKey))].join(', ') || 'none'})`,
    );
  }
  return mappings.map((mapping) => {
    if (!paused.includes(mapping.functionKey)) return mapping;
    log.info(
      `${mapping.functionKey}: SQS mapping paused (INTAKE_PAUSED_SQS_MAPPINGS): its queue is not polled`,
    );
    return { ...mapping, enabled: false };
  });
}

/**
 * The emulated AWS side of `npm start`: emulators, resources from serverless.yml, resolved function
 * environments, S3 notifications and SQS event-source mappings. `start` either resolves with
 * everything running or stops what it started and rejects with a LocalStackStartError.
 */
export class LocalStack {
  private readonly emulators = new Map<EmulatorKind, RunningEmulator>();
  private readonly pollers: SqsEventSource[] = [];
  private clients: EmulatorClients | undefined;
  private notifier: S3Notifier | undefined;
  private scanner: EicarOnlyScanStandIn | undefined;
  private lambdaApi: LocalLambdaApi | undefined;
  private issuer: LocalIssuer | undefined;
  /** The console's link with an admin token (only when the service serves the console and has an issuer). */
  private consoleUrl: string | undefined;
  private stopping = false;
  private announced = false;
  provisioned: ProvisionedResources | undefined;
  state: LocalStackState | undefined;

  private constructor(
    private readonly view: ServiceView,
    private readonly options: LocalStackOptions,
  ) {}

  /** Starts the whole local stack; see the class comment. */
  static async start(view: ServiceView, options: LocalStackOptions): Promise<LocalStack> {
    const stack = new LocalStack(view, options);
    try {
      await stack.startEmulators();
      await stack.wire();
      return stack;
    } catch (error) {
      await stack.stop();
      if (error instanceof EmulatorStartError) {
        throw new LocalStackStartError(
          `${error.message}. Free the port or choose another with ${PORT_VARIABLES[error.kind]}=<port>.`,
        );
      }
      if (error instanceof IssuerUrlError) throw new LocalStackStartError(error.message);
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && stack.issuerStarting) {
        throw new LocalStackStartError(
          `The local OIDC issuer could not start: ${view.issuer!.issuerUrl} is already in use. Free the port or choose another with ${PORT_VARIABLES.issuer}=<port>.`,
        );
      }
      throw new LocalStackStartError(`The local stack could not start: ${(error as Error).message}`);
    }
  }

  /** The running emulator of each kind (tests kill one to see health fail). */
  emulator(kind: EmulatorKind): RunningEmulator {
    return this.emulators.get(kind)!;
  }

  /** Resolves once every S3 notification started so far is delivered (or has given up). */
  async drainNotifications(): Promise<void> {
    await Promise.all([this.notifier?.drain(), this.scanner?.drain(), this.lambdaApi?.drain()]);
  }

  /** True while the issuer is starting (so a port clash is named as the issuer's). */
  private issuerStarting = false;

  /** Starts the local OIDC issuer at the authorizer's issuerUrl (key kept in the data folder, if any). */
  private async startIssuer(): Promise<void> {
    const declared = this.view.issuer;
    if (!declared) return;
    this.issuerStarting = true;
    const { dataDir } = this.options.settings;
    this.issuer = await startLocalIssuer({
      issuerUrl: declared.issuerUrl,
      audience: declared.audience,
      scopesSupported: declared.scopes,
      ...(dataDir ? { dataDir } : {}),
    });
    this.issuerStarting = false;
  }

  /** Starts the three emulators and the issuer side by side; the first failure stops the others (in `start`). */
  private async startEmulators(): Promise<void> {
    const { log } = this.options;
    const issuer = this.startIssuer();
    const results = await Promise.allSettled([
      issuer,
      ...EMULATOR_KINDS.map(async (kind) => {
        const emulator = kind === 's3' ? await this.startS3() : await this.startPlainEmulator(kind);
        this.emulators.set(kind, emulator);
        void emulator.exited.then((code) => {
          if (!this.stopping)
            log.warning(`the ${kind} emulator (pid ${emulator.pid}) has stopped (exit code ${code})`);
        });
      }),
    ]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private startPlainEmulator(kind: EmulatorKind): Promise<RunningEmulator> {
    const { dataDir, ports } = this.options.settings;
    return startEmulator(kind, { port: ports[kind], ...(dataDir ? { dataDir } : {}) });
  }

  /**
   * The local account's access keys: the stack's own pair (the state file names it; scripts, tests and the
   * stack's own clients sign with it) and, when the shell sets keys, the pair handlers inherit from it.
   */
  private accessKeys(): PostCredentials[] {
    const inherited = handlerCredentials(this.options.shellEnv ?? process.env);
    return inherited.accessKeyId === LOCAL_CREDENTIALS.accessKeyId
      ? [LOCAL_CREDENTIALS]
      : [LOCAL_CREDENTIALS, inherited];
  }

  /** The public S3: s3rver behind the SigV4/POST-policy proxy (authenticated-s3.ts). */
  private startS3(): Promise<RunningEmulator> {
    const { dataDir, ports } = this.options.settings;
    return startAuthenticatedS3({
      port: ports.s3,
      accessKeys: this.accessKeys(),
      region: this.view.region,
      ...(dataDir ? { dataDir } : {}),
      onS3Event: (event: unknown) => this.onS3Event(event),
    });
  }

  private async wire(): Promise<void> {
    const { view, options } = this;
    const endpoints = {
      s3: this.emulator('s3').endpoint,
      sqs: this.emulator('sqs').endpoint,
      dynamodb: this.emulator('dynamodb').endpoint,
    };
    const clients = (this.clients = createEmulatorClients(endpoints, view.region, LOCAL_CREDENTIALS));
    const naming = {
      service: view.service,
      stage: view.stage,
      region: view.region,
      accountId: LOCAL_ACCOUNT_ID,
    };
    const provisioned = await provisionResources(
      view.resources,
      clients,
      naming,
      options.log,
      view.conditions,
    );
    this.provisioned = provisioned;
    const { context } = provisioned;
    for (const [logicalId, values] of functionResourceValues(view.functions, view.region, LOCAL_ACCOUNT_ID)) {
      (context.resources as Map<string, typeof values>).set(logicalId, values);
    }

    const invoke = options.invoke ?? createOfflineInvoker(view.lambdaEndpoint);
    const policyDependencies = {
      context,
      queues: provisioned.queues,
      sqs: clients.sqs,
      invoke,
      retryDelaysMs: options.settings.asyncRetryDelaysMs,
      log: options.log,
    };
    // Each function's async-invoke policy, worked out once: S3 notifications find it by function key,
    // the Lambda API by deployed name.
    const policies = new Map(
      Object.entries(view.functions).map(([key, definition]) => [
        key,
        asyncInvokePolicy(definition, policyDependencies),
      ]),
    );
    this.lambdaApi = await startLocalLambdaApi({
      offlineEndpoint: view.lambdaEndpoint,
      policies: new Map([...policies.values()].map((policy) => [policy.functionName, policy])),
      invoke,
      log: options.log,
    });

    localizeEnvironments(
      view,
      context,
      { ...endpoints, lambda: this.lambdaApi.endpoint },
      options.shellEnv ?? process.env,
      options.log,
    );

    // Both places a deployed stack takes S3 notifications from: functions' `s3` events, and the
    // NotificationConfiguration of the buckets declared in resources (how intake's own bucket does it).
    const subscriptions = [
      ...readS3Subscriptions(view.functions, context),
      ...readBucketNotifications(view.resources, view.functions, context, options.log),
    ];
    await ensureBuckets(
      clients,
      subscriptions.map((subscription) => subscription.bucket),
      provisioned,
    );
    this.notifier = new S3Notifier({
      subscriptions,
      invoke,
      region: view.region,
      policyFor: (functionKey) => policies.get(functionKey)!,
      log: options.log,
    });

    // GuardDuty Malware Protection plans are played by the EICAR-only stand-in; its scan results go
    // through the template's EventBridge rules, as in AWS.
    const plans = readProtectionPlans(view.resources, context);
    if (plans.length > 0) {
      const bus = new LocalEventBus(
        readEventRules(view.resources, context, provisioned.queues, options.log),
        clients.sqs,
      );
      this.scanner = new EicarOnlyScanStandIn({
        s3: clients.s3,
        plans,
        publish: (event) => bus.put(event),
        region: view.region,
        accountId: LOCAL_ACCOUNT_ID,
        log: options.log,
      });
      options.log.info(
        `malware scanning: an EICAR-only stand-in (not a malware scanner) plays ${plans.map((plan) => plan.logicalId).join(', ')}`,
      );
    }

    const mappings = pauseMappings(
      readSqsMappings(view.functions, context, provisioned.queues, options.log),
      options.settings.pausedSqsMappings ?? [],
      options.log,
    );
    for (const mapping of mappings) {
      const poller = new SqsEventSource(mapping, {
        client: clients.sqs,
        invoke,
        region: view.region,
        log: options.log,
        ...(options.sqsWaitTimeSeconds !== undefined ? { waitTimeSeconds: options.sqsWaitTimeSeconds } : {}),
      });
      this.pollers.push(poller);
      if (options.startEventSources !== false) poller.start();
    }

    const emulatorState = (kind: EmulatorKind) => {
      const { port, endpoint, pid, postPolicy } = this.emulator(kind);
      return { port, endpoint, pid, ...(postPolicy ? { postPolicy } : {}) };
    };
    this.state = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      stage: view.stage,
      region: view.region,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
        secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
      },
      http: { url: view.httpUrl },
      lambda: { endpoint: view.lambdaEndpoint, functionEndpoint: this.lambdaApi.endpoint },
      emulators: { s3: emulatorState('s3'), sqs: emulatorState('sqs'), dynamodb: emulatorState('dynamodb') },
      dataDir: options.settings.dataDir ?? null,
      auth: this.issuer
        ? {
            issuer: this.issuer.issuer,
            jwksUri: this.issuer.jwksUri,
            tokenEndpoint: this.issuer.tokenEndpoint,
            audience: this.issuer.audience,
          }
        : null,
      resources: { buckets: provisioned.buckets, queues: provisioned.queues, tables: provisioned.tables },
      mappings: { s3: subscriptions, sqs: mappings },
    };
    if (this.issuer && servesConsole(view.functions))
      this.consoleUrl = consoleLink(view.httpUrl, await this.issuer.sign(CONSOLE_TOKEN_REQUEST));
  }

  /** Starts polling the queues of every SQS mapping (no-op for those already polling). */
  startEventSources(): void {
    for (const poller of this.pollers) poller.start();
  }

  /** Writes the state file and returns the banner text. */
  announce(): string {
    writeStateFile(this.options.settings.stateFile, this.state!);
    this.announced = true;
    return renderBanner(this.state!, this.options.settings.stateFile, this.consoleUrl);
  }

  private onS3Event(message: unknown): void {
    const change = changeFromS3rverEvent(message);
    if (!change || !this.notifier) return;
    void this.completeChange(change).then((complete) => {
      this.notifier?.notify(complete);
      this.scanner?.onObjectChange(complete);
    });
  }

  /** s3rver leaves the ETag out of copy events; S3 includes it, so look it up. */
  private async completeChange(change: S3ObjectChange): Promise<S3ObjectChange> {
    if (change.eTag !== undefined || !change.eventName.startsWith('ObjectCreated') || !this.clients)
      return change;
    try {
      const head = await this.clients.s3.send(
        new HeadObjectCommand({ Bucket: change.bucket, Key: change.key }),
      );
      return {
        ...change,
        eTag: (head.ETag ?? '').replace(/"/g, ''),
        size: head.ContentLength ?? change.size ?? 0,
      };
    } catch {
      return change;
    }
  }

  /** Stops pollers, then emulators, and removes the state file. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    this.pollers.length = 0;
    await this.lambdaApi?.stop();
    this.lambdaApi = undefined;
    this.clients?.destroy();
    this.clients = undefined;
    await Promise.all([...this.emulators.values()].map((emulator) => emulator.stop()));
    await this.issuer?.stop();
    this.issuer = undefined;
    // Only our own file: a stack that failed to start must not erase the state of one that runs.
    if (this.announced) removeStateFile(this.options.settings.stateFile);
  }
}
