/**
 * Template rules for seeing abuse and failure (issue 12, item 10): HTTP API access logs in JSON with
 * the fields an investigation needs, an alarm on every queue where failures land, and alarms on our own
 * metrics scoped to this stage. Pure functions over the packaged template, unit-tested rule by rule.
 */
import type { Resource, Template } from './cfn';
import { asArray, canonical, getAttTarget, intrinsicText, ofType, refTarget } from './cfn';

/**
 * `$context` variables every access log line carries: who (ip), what (routeKey), the outcome (status,
 * responseLength), why it failed (integrationErrorMessage, authorizer.error), and the request id that the
 * function's own logs and error answers carry too.
 */
export const ACCESS_LOG_VARIABLES = [
  '$context.requestId',
  '$context.identity.sourceIp',
  '$context.routeKey',
  '$context.status',
  '$context.responseLength',
  '$context.integrationErrorMessage',
  '$context.authorizer.error',
];

/** The stages of this template's HTTP APIs. */
function httpApiStages(template: Template): [string, Resource][] {
  const httpApis = new Set(
    ofType(template, 'AWS::ApiGatewayV2::Api')
      .filter(([, api]) => api.Properties?.ProtocolType === 'HTTP')
      .map(([id]) => id),
  );
  return ofType(template, 'AWS::ApiGatewayV2::Stage').filter(([, stage]) =>
    httpApis.has(refTarget(stage.Properties?.ApiId) ?? ''),
  );
}

/**
 * Every HTTP API stage writes access logs to a log group of this template that has a retention, in a
 * JSON format whose values include each of ACCESS_LOG_VARIABLES.
 */
export function accessLogViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [stageId, stage] of httpApiStages(template)) {
    const settings = stage.Properties?.AccessLogSettings as
      { DestinationArn?: unknown; Format?: unknown } | undefined;
    if (!settings) {
      violations.push(`${stageId}: no AccessLogSettings, so no record of who called what`);
      continue;
    }
    const groupId = getAttTarget(settings.DestinationArn);
    const group = groupId ? template.Resources[groupId] : undefined;
    if (group?.Type !== 'AWS::Logs::LogGroup') {
      violations.push(
        `${stageId}: access logs go to ${intrinsicText(settings.DestinationArn)}, not a log group of this template`,
      );
    } else if (typeof group.Properties?.RetentionInDays !== 'number') {
      violations.push(`${groupId}: access log group has no RetentionInDays (kept and billed forever)`);
    }
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(String(settings.Format)) as Record<string, unknown>;
    } catch {
      violations.push(`${stageId}: access log Format is not JSON: ${canonical(settings.Format)}`);
      continue;
    }
    const values = new Set(Object.values(fields ?? {}).map(String));
    const missing = ACCESS_LOG_VARIABLES.filter((variable) => !values.has(variable));
    if (missing.length > 0) violations.push(`${stageId}: access log Format lacks ${missing.join(', ')}`);
  }
  return violations;
}

interface AlarmMetric {
  Namespace?: unknown;
  MetricName?: unknown;
  Dimensions?: { Name?: unknown; Value?: unknown }[];
}

/** The metrics an alarm watches: its single metric, or each MetricStat of a metric-math alarm. */
function alarmMetrics(alarm: Resource): AlarmMetric[] {
  const properties = alarm.Properties ?? {};
  const single = properties.MetricName === undefined ? [] : [properties as AlarmMetric];
  const stats = asArray(properties.Metrics as { MetricStat?: { Metric?: AlarmMetric } }[] | undefined)
    .map((query) => query.MetricStat?.Metric)
    .filter((metric): metric is AlarmMetric => metric !== undefined);
  return [...single, ...stats];
}

const hasDimension = (metric: AlarmMetric, name: string, matches: (value: unknown) => boolean) =>
  asArray(metric.Dimensions).some((dimension) => dimension.Name === name && matches(dimension.Value));

function functionEnvironments(template: Template): [string, Record<string, unknown>][] {
  return ofType(template, 'AWS::Lambda::Function').map(([id, fn]) => [
    id,
    ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>,
  ]);
}

/** The namespace our own metrics are published in when a function names none. */
export const DEFAULT_METRICS_NAMESPACE = 'intake';

/**
 * Our metrics carry a `service` dimension (POWERTOOLS_SERVICE_NAME) that names the stage, so dev
 * traffic never moves a prod alarm: every function publishes with one and the same service name, which
 * ends with `-<stage>` when the stage is known, and every alarm on a metric of our namespace
 * (POWERTOOLS_METRICS_NAMESPACE) selects that dimension.
 */
export function alarmStageViolations(template: Template, options: { stage?: string } = {}): string[] {
  const violations: string[] = [];
  const environments = functionEnvironments(template);
  const services = new Set(environments.map(([, env]) => String(env.POWERTOOLS_SERVICE_NAME ?? '')));
  for (const [id, env] of environments)
    if (typeof env.POWERTOOLS_SERVICE_NAME !== 'string' || env.POWERTOOLS_SERVICE_NAME === '')
      violations.push(`${id}: no POWERTOOLS_SERVICE_NAME, so its metrics have no stage dimension`);
  const named = [...services].filter((service) => service !== '');
  if (named.length > 1) violations.push(`functions publish under several services: ${named.join(', ')}`);
  const service = named[0];
  if (service && options.stage && !service.endsWith(`-${options.stage}`))
    violations.push(`POWERTOOLS_SERVICE_NAME ${service} does not name stage ${options.stage}`);

  const namespaces = new Set([
    DEFAULT_METRICS_NAMESPACE,
    ...environments.map(([, env]) => env.POWERTOOLS_METRICS_NAMESPACE).filter((ns) => typeof ns === 'string'),
  ]);
  for (const [alarmId, alarm] of ofType(template, 'AWS::CloudWatch::Alarm')) {
    for (const metric of alarmMetrics(alarm)) {
      if (!namespaces.has(String(metric.Namespace))) continue;
      if (!service || !hasDimension(metric, 'service', (value) => value === service))
        violations.push(
          `${alarmId}: ${String(metric.MetricName)} (namespace ${String(metric.Namespace)}) does not select service=${service ?? '?'}: any stage's traffic would move it`,
        );
    }
  }
  return violations;
}

/** True when `alarm` fires as soon as queue `queueId` holds one visible message. */
function alarmsOnNonEmptyQueue(alarm: Resource, queueId: string): boolean {
  const properties = alarm.Properties ?? {};
  const threshold = Number(properties.Threshold);
  const firesOnOne =
    (properties.ComparisonOperator === 'GreaterThanThreshold' && threshold >= 0 && threshold < 1) ||
    (properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold' && threshold > 0 && threshold <= 1);
  return (
    firesOnOne &&
    alarmMetrics(alarm).some(
      (metric) =>
        metric.Namespace === 'AWS/SQS' &&
        metric.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        hasDimension(metric, 'QueueName', (value) => getAttTarget(value) === queueId),
    )
  );
}

/** The queues where failures land: dead-letter targets of a redrive policy, async on-failure destinations. */
export function failureQueues(template: Template): Map<string, string> {
  const queues = new Map<string, string>();
  const isQueue = (id: string | undefined): id is string =>
    id !== undefined && template.Resources[id]?.Type === 'AWS::SQS::Queue';
  for (const [id, queue] of ofType(template, 'AWS::SQS::Queue')) {
    const target = getAttTarget(
      (queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
    );
    if (isQueue(target)) queues.set(target, `dead-letter queue of ${id}`);
  }
  for (const [id, config] of ofType(template, 'AWS::Lambda::EventInvokeConfig')) {
    const destination = (
      config.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined
    )?.OnFailure?.Destination;
    const target = getAttTarget(destination);
    if (isQueue(target)) queues.set(target, `on-failure destination of ${id}`);
  }
  return queues;
}

/** Every queue where failures land has an alarm that fires when it holds a message (> 0 visible). */
export function failureQueueAlarmViolations(template: Template): string[] {
  const alarms = ofType(template, 'AWS::CloudWatch::Alarm');
  return [...failureQueues(template)]
    .filter(([queueId]) => !alarms.some(([, alarm]) => alarmsOnNonEmptyQueue(alarm, queueId)))
    .map(([queueId, role]) => `${queueId} (${role}): no alarm on ApproximateNumberOfMessagesVisible > 0`);
}
