/**
 * `sls invoke local --stage local`: the framework would resolve `Ref`/`Fn::GetAtt` in function
 * environments through CloudFormation (and stop without AWS credentials). Locally they resolve to the
 * names and URLs `npm start` gives the same resources, and handlers reach the emulators of a running
 * stack (or, when none runs, the default ports, where every call fails fast).
 */
import type { LocalEndpoints } from './handler-environment';
import { localHandlerEnvironment } from './handler-environment';
import type { LocalResourceValues } from './intrinsics';
import type { LocalLog } from './log';
import type { CfnResource, ProvisionNaming } from './provision';
import {
  activeResources,
  bucketName,
  bucketValues,
  localContext,
  queueName,
  queueValues,
  tableName,
  tableValues,
} from './provision';
import type { HandlerEnvironments } from './service-model';
import { functionResourceValues, localizeEnvironments } from './service-model';
import type { LocalStackSettings } from './settings';
import type { LocalStackState } from './state';
import { findRunningStackState } from './state';

/** The account id the emulators put in ARNs (fauxqs and dynalite both default to it). */
const EMULATOR_ACCOUNT_ID = '000000000000';

/** The service as the framework resolved it, seen by `invoke local`. */
export interface InvokeLocalView extends HandlerEnvironments {
  service: string;
  stage: string;
  resources: Record<string, CfnResource>;
  conditions?: Record<string, unknown>;
  /** Offline's Lambda API as serverless.yml configures it, for when no stack runs. */
  lambdaEndpoint: string;
}

export interface InvokeLocalOptions {
  settings: LocalStackSettings;
  shellEnv: NodeJS.ProcessEnv;
  log: LocalLog;
  /** Whether a process still runs (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

export interface PreparedInvoke {
  /** Where the values came from: a running stack's state file, or the default ports. */
  source: 'running stack' | 'default ports';
  endpoints: LocalEndpoints;
  /** Variables to put in the framework's own process before it looks for credentials. */
  processEnv: Record<string, string>;
}

/** `Ref`/`Fn::GetAtt` values of the resources a running stack created (from its state file). */
export function resourceValuesFromState(state: LocalStackState): Map<string, LocalResourceValues> {
  const values = new Map<string, LocalResourceValues>();
  for (const bucket of state.resources.buckets) {
    if (bucket.logicalId) values.set(bucket.logicalId, bucketValues(bucket.name, state.region));
  }
  for (const queue of state.resources.queues) values.set(queue.logicalId, queueValues(queue));
  for (const table of state.resources.tables) values.set(table.logicalId, tableValues(table));
  return values;
}

/**
 * `Ref`/`Fn::GetAtt` values of the template's resources as a fresh local stack would create them:
 * the names provisioning gives them, fauxqs queue URLs on `sqsPort`, the emulators' account id.
 */
export function predictResourceValues(
  resources: Record<string, CfnResource>,
  naming: ProvisionNaming,
  conditions: Record<string, unknown>,
  sqsPort: number,
): Map<string, LocalResourceValues> {
  const values = new Map<string, LocalResourceValues>();
  const context = localContext(naming, values, conditions);
  const entries = activeResources(resources, context);
  const ofType = (type: string) => entries.filter(([, resource]) => resource.Type === type);
  // In provisioning's order, so a name built from another resource's value resolves the same way.
  for (const [logicalId, resource] of ofType('AWS::S3::Bucket')) {
    const name = bucketName(naming, logicalId, resource.Properties ?? {}, context);
    values.set(logicalId, bucketValues(name, naming.region));
  }
  for (const [logicalId, resource] of ofType('AWS::SQS::Queue')) {
    const name = queueName(naming, logicalId, resource.Properties ?? {}, context);
    const url = `http://sqs.${naming.region}.localhost:${sqsPort}/${naming.accountId}/${name}`;
    const arn = `arn:aws:sqs:${naming.region}:${naming.accountId}:${name}`;
    values.set(logicalId, queueValues({ name, url, arn }));
  }
  for (const [logicalId, resource] of ofType('AWS::DynamoDB::Table')) {
    const name = tableName(naming, logicalId, resource.Properties ?? {}, context);
    const arn = `arn:aws:dynamodb:${naming.region}:${naming.accountId}:table/${name}`;
    values.set(logicalId, tableValues({ name, arn }));
  }
  return values;
}

/**
 * Prepares `invoke local` on the local stage: resolves every intrinsic in the provider and function
 * environments and adds the local endpoints, region, dummy credentials and quiet Powertools (shell
 * values win), from the running stack's state file when one runs, else from the default ports.
 * Returns the variables the framework's process needs (credentials, so its own lookup neither fails
 * nor probes instance metadata).
 */
export function prepareLocalInvoke(view: InvokeLocalView, options: InvokeLocalOptions): PreparedInvoke {
  const { settings, shellEnv, log } = options;
  const naming = {
    service: view.service,
    stage: view.stage,
    region: view.region,
    accountId: EMULATOR_ACCOUNT_ID,
  };
  const state = findRunningStackState(settings.stateFile, {
    stage: view.stage,
    ...(options.isAlive ? { isAlive: options.isAlive } : {}),
  });
  const endpoints: LocalEndpoints = state
    ? {
        s3: state.emulators.s3.endpoint,
        sqs: state.emulators.sqs.endpoint,
        dynamodb: state.emulators.dynamodb.endpoint,
        lambda: state.lambda.functionEndpoint ?? state.lambda.endpoint,
      }
    : {
        s3: `http://127.0.0.1:${settings.ports.s3}`,
        sqs: `http://127.0.0.1:${settings.ports.sqs}`,
        dynamodb: `http://127.0.0.1:${settings.ports.dynamodb}`,
        lambda: view.lambdaEndpoint,
      };
  const values = state
    ? resourceValuesFromState(state)
    : predictResourceValues(view.resources, naming, view.conditions ?? {}, settings.ports.sqs);
  for (const [logicalId, functionValues] of functionResourceValues(
    view.functions,
    view.region,
    EMULATOR_ACCOUNT_ID,
  )) {
    values.set(logicalId, functionValues);
  }
  const context = localContext(naming, values, view.conditions ?? {});
  localizeEnvironments(view, context, endpoints, shellEnv, log);

  const processEnv = Object.fromEntries(
    Object.entries(localHandlerEnvironment(endpoints, view.region, shellEnv)).filter(
      ([name]) => shellEnv[name] === undefined,
    ),
  );
  return { source: state ? 'running stack' : 'default ports', endpoints, processEnv };
}
