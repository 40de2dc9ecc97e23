/**
 * S3 → Lambda notifications declared on this stack's buckets (`NotificationConfiguration.
 * LambdaConfigurations`), read the way S3 applies them, so `npm start` delivers exactly what the deployed
 * bucket would: the same event pattern, the same prefix/suffix filter, and the same refusals of a
 * configuration S3 would reject at deploy time.
 */
import type { IntrinsicContext } from './intrinsics';
import { resolveIntrinsics } from './intrinsics';
import type { LocalLog } from './log';
import type { CfnResource } from './provision';
import { activeResources } from './provision';
import type { S3Subscription } from './s3-event';
import type { FunctionDefinition } from './service-model';

/** A notification configuration S3 would refuse (PutBucketNotificationConfiguration fails the deploy). */
export class InvalidBucketNotificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBucketNotificationError';
  }
}

interface LambdaConfiguration {
  Id?: unknown;
  Event?: unknown;
  Function?: unknown;
  Filter?: { S3Key?: { Rules?: { Name?: unknown; Value?: unknown }[] } };
}

/** S3's event types: `s3:<Category>:<Type>` or `s3:<Category>:*` (e.g. `s3:ObjectCreated:*`). */
const EVENT_PATTERN = /^s3:[A-Za-z]+:(\*|[A-Za-z]+(:[A-Za-z]+)?)$/;

/** The prefix and suffix of a filter; S3 accepts `prefix`/`suffix` in any case, each at most once. */
function readFilter(configuration: LambdaConfiguration, label: string): { prefix?: string; suffix?: string } {
  const filter: { prefix?: string; suffix?: string } = {};
  for (const rule of configuration.Filter?.S3Key?.Rules ?? []) {
    const name = String(rule.Name ?? '').toLowerCase();
    if (name !== 'prefix' && name !== 'suffix')
      throw new InvalidBucketNotificationError(
        `${label}: filter rule name "${String(rule.Name)}" is not prefix or suffix`,
      );
    if (filter[name] !== undefined)
      throw new InvalidBucketNotificationError(`${label}: more than one ${name} rule in a filter`);
    filter[name] = String(rule.Value ?? '');
  }
  return filter;
}

/** True when S3 event types `x` and `y` (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`) share an event. */
function eventTypesOverlap(x: string, y: string): boolean {
  const [, categoryX, typeX] = x.split(':');
  const [, categoryY, typeY] = y.split(':');
  return categoryX === categoryY && (typeX === '*' || typeY === '*' || typeX === typeY);
}

const nested = (x: string, y: string, test: (longer: string, shorter: string) => boolean) =>
  test(x, y) || test(y, x);

/** True when two subscriptions could both match one change: S3 refuses such "overlapping" configurations. */
function overlap(a: S3Subscription, b: S3Subscription): boolean {
  return (
    a.bucket === b.bucket &&
    a.events.some((x) => b.events.some((y) => eventTypesOverlap(x, y))) &&
    nested(a.prefix ?? '', b.prefix ?? '', (longer, shorter) => longer.startsWith(shorter)) &&
    nested(a.suffix ?? '', b.suffix ?? '', (longer, shorter) => longer.endsWith(shorter))
  );
}

/**
 * Every LambdaConfiguration of every bucket this stack creates (its Condition holds), as subscriptions
 * of the functions they name. `context` must already hold the buckets' and functions' local values.
 * A configuration whose Function is not a function of this service is reported and skipped (nothing
 * local could run it); queue and topic configurations are reported as not emulated. Throws
 * InvalidBucketNotificationError for what S3 would refuse: an unknown event type, a filter rule that is
 * not prefix/suffix or is repeated, two configurations of a bucket that overlap.
 */
export function readBucketNotifications(
  resources: Record<string, CfnResource>,
  functions: Record<string, FunctionDefinition>,
  context: IntrinsicContext,
  log: LocalLog,
): S3Subscription[] {
  const functionKeyByArn = new Map(
    Object.entries(functions).map(([key, definition]) => [
      `arn:aws:lambda:${context.region}:${context.accountId}:function:${definition.name}`,
      key,
    ]),
  );
  const subscriptions: S3Subscription[] = [];
  for (const [logicalId, resource] of activeResources(resources, context)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const declared = resource.Properties?.NotificationConfiguration;
    if (declared === undefined) continue;
    const bucket = context.resources.get(logicalId)?.ref;
    if (bucket === undefined) continue;
    const configuration = (resolveIntrinsics(declared, context) ?? {}) as Record<string, unknown>;
    for (const other of ['QueueConfigurations', 'TopicConfigurations', 'EventBridgeConfiguration'])
      if (configuration[other] !== undefined) log.info(`${logicalId}: ${other} is not emulated locally`);

    const own: S3Subscription[] = [];
    const lambdas = (configuration.LambdaConfigurations ?? []) as (LambdaConfiguration | '')[];
    lambdas.forEach((lambda, index) => {
      if (lambda === '' || lambda === null) return; // an Fn::If branch that is AWS::NoValue
      const label = `${logicalId} LambdaConfigurations[${index}]`;
      const event = String(lambda.Event ?? '');
      if (!EVENT_PATTERN.test(event))
        throw new InvalidBucketNotificationError(`${label}: "${event}" is not an S3 event type`);
      const filter = readFilter(lambda, label);
      const functionArn = String(lambda.Function ?? '').replace(/:\$LATEST$/, '');
      const functionKey = functionKeyByArn.get(functionArn);
      if (functionKey === undefined) {
        log.warning(`${label}: ${functionArn} is not a function of this service: not delivered locally`);
        return;
      }
      const subscription: S3Subscription = {
        functionKey,
        functionName: functions[functionKey]!.name,
        bucket,
        events: [event],
        configurationId: typeof lambda.Id === 'string' ? lambda.Id : `${logicalId}-lambda-${index + 1}`,
        ...filter,
      };
      const clash = own.find((existing) => overlap(existing, subscription));
      if (clash)
        throw new InvalidBucketNotificationError(
          `${label}: overlaps ${clash.configurationId} (same event type, nested prefixes and suffixes)`,
        );
      own.push(subscription);
    });
    subscriptions.push(...own);
  }
  return subscriptions;
}
