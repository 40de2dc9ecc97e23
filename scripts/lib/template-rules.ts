/**
 * Rules the packaged CloudFormation template must keep (issue 3: least privilege, SQS visibility).
 * Pure functions over the template JSON so they are unit-tested on small hand-made templates.
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
export type Template = { Resources: Record<string, Resource> };

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Sid?: string;
}

/** Actions AWS only grants on Resource '*' (no resource-level permissions). */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

/** AWS guidance for SQS event sources: visibility timeout >= 6x the consumer's timeout (+ batching window). */
export const VISIBILITY_TO_TIMEOUT_FACTOR = 6;
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const getAttTarget = (value: unknown): string | undefined => {
  const att = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(att)) return String(att[0]);
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
};

/** A resource reference as text: plain strings, Fn::Sub templates, GetAtt targets. */
const resourceText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const sub = (value as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub)) return String(sub[0]);
  const target = getAttTarget(value);
  return target ? `GetAtt:${target}` : JSON.stringify(value);
};

/** A statement, or both branches of a conditional one (`Fn::If`), so conditions cannot hide a grant. */
function unwrapConditional(statement: unknown): Statement[] {
  const branches = (statement as { 'Fn::If'?: unknown[] } | null)?.['Fn::If'];
  if (!Array.isArray(branches)) return [statement as Statement];
  return branches
    .slice(1)
    .filter((branch) => (branch as { Ref?: string } | null)?.Ref !== 'AWS::NoValue')
    .flatMap(unwrapConditional);
}

function roleStatements(role: Resource): Statement[] {
  const policies = asArray(role.Properties?.Policies as { PolicyDocument?: { Statement?: unknown } }[]);
  return policies.flatMap((policy) =>
    asArray(policy.PolicyDocument?.Statement as unknown[] | unknown).flatMap(unwrapConditional),
  );
}

/** Each function runs under a role of its own, never the framework's shared IamRoleLambdaExecution. */
export function roleViolations(template: Template): string[] {
  const violations: string[] = [];
  const usedBy = new Map<string, string>();
  if (template.Resources.IamRoleLambdaExecution) {
    violations.push('IamRoleLambdaExecution exists: a function without `role:` shares the framework role');
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleId = getAttTarget(resource.Properties?.Role);
    if (!roleId || template.Resources[roleId]?.Type !== 'AWS::IAM::Role') {
      violations.push(`${id}: Role is not a role declared in this template`);
      continue;
    }
    const other = usedBy.get(roleId);
    if (other) violations.push(`${id} and ${other} share ${roleId}: one role per function`);
    usedBy.set(roleId, id);
  }
  return violations;
}

/** No wildcard actions; Resource '*' only for actions that have no resource-level permissions. */
export function statementViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const statement of roleStatements(resource)) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray(statement.Action);
      const label = `${id}${statement.Sid ? `/${statement.Sid}` : ''}`;
      for (const action of actions.filter((a) => a.includes('*')))
        violations.push(`${label}: wildcard action ${action}`);
      const resources = asArray(statement.Resource as unknown);
      if (resources.some((r) => r === '*') && !actions.every((a) => ACTIONS_WITHOUT_RESOURCE_LEVEL.has(a))) {
        violations.push(`${label}: Resource '*' for ${actions.join(', ')}`);
      }
    }
  }
  return violations;
}

/** A function's role may write logs only into that function's own log group. */
export function logGroupViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleId = getAttTarget(resource.Properties?.Role);
    const role = roleId ? template.Resources[roleId] : undefined;
    if (!role) continue;
    const ownGroup = `log-group:/aws/lambda/${String(resource.Properties?.FunctionName)}:`;
    for (const statement of roleStatements(role)) {
      if (!asArray(statement.Action).some((a) => a.startsWith('logs:'))) continue;
      for (const target of asArray(statement.Resource as unknown).map(resourceText)) {
        if (!target.includes(ownGroup))
          violations.push(`${roleId} (${id}): logs on ${target}, not its own log group`);
      }
    }
  }
  return violations;
}

/** Every SQS event-source mapping: queue visibility >= 6x (function timeout + batching window). */
export function visibilityViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, mapping] of Object.entries(template.Resources)) {
    if (mapping.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const queueId = getAttTarget(mapping.Properties?.EventSourceArn);
    const queue = queueId ? template.Resources[queueId] : undefined;
    if (queue?.Type !== 'AWS::SQS::Queue') continue;
    const functionId = getAttTarget(mapping.Properties?.FunctionName);
    const fn = functionId ? template.Resources[functionId] : undefined;
    const timeout = Number(fn?.Properties?.Timeout ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS);
    const window = Number(mapping.Properties?.MaximumBatchingWindowInSeconds ?? 0);
    const visibility = Number(queue.Properties?.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS);
    const needed = VISIBILITY_TO_TIMEOUT_FACTOR * timeout + window;
    if (visibility < needed) {
      violations.push(
        `${id}: ${queueId} visibility ${visibility}s < ${VISIBILITY_TO_TIMEOUT_FACTOR} x ${functionId} timeout ${timeout}s + window ${window}s = ${needed}s`,
      );
    }
  }
  return violations;
}

/** All rules at once; empty = the template keeps them. */
export function templateViolations(template: Template): string[] {
  return [
    ...roleViolations(template),
    ...statementViolations(template),
    ...logGroupViolations(template),
    ...visibilityViolations(template),
  ];
}
