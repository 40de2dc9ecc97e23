/**
 * Rules the packaged CloudFormation template must keep (issue 3: least privilege, SQS visibility;
 * issue 10: every API route authenticated unless public by design, bounded cost, explicit CORS;
 * issue 12: no wildcard in any role, the framework's included, single writers of a prefix, scoped invoke
 * permissions, access logs and failure alarms — the last in ./observability-rules.ts).
 * Pure functions over the template JSON so they are unit-tested on small hand-made templates.
 */

import type { Resource, Template } from './cfn';
import { costAllocationTagViolations } from './cost-tag-rules';
import { asArray, canonical, getAttTarget, intrinsicText, ofType, refTarget } from './cfn';
import type { Statement } from './iam-statements';
import {
  actionMatches,
  roleStatements,
  s3ObjectKeyPattern,
  unscopedResource,
  wildcardMatches,
} from './iam-statements';
import {
  accessLogViolations,
  alarmStageViolations,
  failureQueueAlarmViolations,
} from './observability-rules';

export type { Template } from './cfn';
export { costAllocationTagViolations } from './cost-tag-rules';
export {
  ACCESS_LOG_VARIABLES,
  accessLogViolations,
  alarmStageViolations,
  failureQueueAlarmViolations,
} from './observability-rules';

export interface TemplateRuleOptions {
  /**
   * The stage the template was packaged for: CORS `*` is allowed only for `local`; the metrics' service
   * dimension must end with `-<stage>`. Default: not local, any service name.
   */
  stage?: string;
  /**
   * Routed functions' concurrency caps by function key (src/webhooks/webhook-routes.json `targets`), each of
   * which must reach its function as ReservedConcurrentExecutions. Default: none.
   */
  targetCaps?: Readonly<Record<string, number>>;
  /**
   * The issuer and audience every JWT authorizer must carry. Default: this template's own Cognito
   * user pool and its app clients when it has one, else any https issuer and a non-empty audience.
   */
  authorizer?: { issuer: unknown; audience: unknown[] };
  /**
   * The route keys the service declares `public: <why>` on the route itself (serverless/http-routes.js,
   * read from the packaged serverless-state.json). Default: none, so every route needs an authorizer.
   */
  publicRoutes?: readonly string[];
}

/**
 * Actions AWS only grants on Resource '*' (no resource-level permissions): the one documented
 * exception to "no wildcard resource" (docs/aws-setup.md). Keep it this narrow.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

/** AWS guidance for SQS event sources: visibility timeout >= 6x the consumer's timeout (+ batching window). */
export const VISIBILITY_TO_TIMEOUT_FACTOR = 6;
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

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

const listed = (value: unknown): string[] => asArray(value as string | string[] | undefined).map(String);

/**
 * Every role of the template, the framework's own included, grants only named things. In each Allow:
 * no wildcard action (`s3:*`, `s3:Get*`, `*`), no NotAction / NotResource (which grant everything
 * else), and every resource scoped (see unscopedResource: no `*`, no `function:*`, no any-region ARN),
 * except Resource '*' for ACTIONS_WITHOUT_RESOURCE_LEVEL only. Managed policies cannot be read from the
 * template, so a role may not attach any.
 */
export function statementViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, role] of ofType(template, 'AWS::IAM::Role')) {
    const managed = asArray(role.Properties?.ManagedPolicyArns as unknown);
    if (managed.length > 0)
      violations.push(`${id}: managed policies ${managed.map(intrinsicText).join(', ')} cannot be checked`);
    for (const statement of roleStatements(template, id)) {
      if (statement.Effect !== 'Allow') continue;
      const actions = listed(statement.Action);
      const label = `${id}${statement.Sid ? `/${statement.Sid}` : ''}`;
      if (statement.NotAction !== undefined) violations.push(`${label}: NotAction grants every other action`);
      if (statement.NotResource !== undefined)
        violations.push(`${label}: NotResource grants every other resource`);
      for (const action of actions.filter((a) => a.includes('*') || a.includes('?')))
        violations.push(`${label}: wildcard action ${action}`);
      for (const resource of asArray(statement.Resource as unknown)) {
        const unscoped = unscopedResource(resource);
        if (unscoped === undefined) continue;
        if (unscoped === "Resource '*'" && actions.every((a) => ACTIONS_WITHOUT_RESOURCE_LEVEL.has(a)))
          continue;
        violations.push(`${label}: ${unscoped} for ${actions.join(', ')}`);
      }
    }
  }
  return violations;
}

/**
 * Object-key prefixes that one function alone may write: the receiver's claim checks
 * (`events/_claims/`, src/webhooks/object-keys.ts) are read by webhook-process, which archives beside
 * them under `events/` and must not be able to forge or overwrite one.
 */
export const SINGLE_WRITER_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['events/_claims/', 'webhook-receive'],
]);

/** S3 actions that create, change or remove an object (or its tags, ACL, lock) under a key. */
export const S3_OBJECT_WRITE_ACTIONS = [
  's3:PutObject',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteObjectTagging',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
];

/** True when some `effect` statement grants `action` on object `key` of a bucket (or on Resource '*'). */
function statementsCover(statements: Statement[], effect: string, action: string, key: string): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === effect &&
      listed(statement.Action).some((pattern) => actionMatches(pattern, action)) &&
      asArray(statement.Resource as unknown).some((resource) => {
        if (resource === '*') return true;
        const pattern = s3ObjectKeyPattern(resource);
        return pattern !== undefined && wildcardMatches(pattern, key);
      }),
  );
}

/** Under each SINGLE_WRITER_PREFIXES prefix, no other function's role may write (Allow not undone by a Deny). */
export function prefixWriterViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, fn] of ofType(template, 'AWS::Lambda::Function')) {
    const roleId = getAttTarget(fn.Properties?.Role);
    if (!roleId) continue;
    const name = String(fn.Properties?.FunctionName ?? id);
    const statements = roleStatements(template, roleId);
    for (const [prefix, writer] of SINGLE_WRITER_PREFIXES) {
      if (name.endsWith(`-${writer}`)) continue;
      const key = `${prefix}any-object`;
      const granted = S3_OBJECT_WRITE_ACTIONS.filter(
        (action) =>
          statementsCover(statements, 'Allow', action, key) &&
          !statementsCover(statements, 'Deny', action, key),
      );
      if (granted.length > 0)
        violations.push(
          `${roleId} (${id}): may ${granted.join(', ')} under ${prefix}, which only ${writer} writes`,
        );
    }
  }
  return violations;
}

/**
 * Every resource-based permission to invoke a function names who may call it: no Principal '*', and an
 * AWS service principal only with a scoped SourceArn; S3's bucket ARNs carry no account, so an S3
 * permission also needs SourceAccount (else a bucket of that name in another account could invoke).
 */
export function invokePermissionViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, permission] of ofType(template, 'AWS::Lambda::Permission')) {
    const properties = permission.Properties ?? {};
    const principal = intrinsicText(properties.Principal);
    if (principal === '*') {
      violations.push(`${id}: Principal '*' lets anyone invoke`);
      continue;
    }
    if (!principal.endsWith('.amazonaws.com')) continue;
    if (properties.SourceArn === undefined)
      violations.push(`${id}: ${principal} may invoke on behalf of any source (no SourceArn)`);
    else {
      const unscoped = unscopedResource(properties.SourceArn);
      if (unscoped) violations.push(`${id}: SourceArn is ${unscoped}`);
    }
    if (principal === 's3.amazonaws.com' && properties.SourceAccount === undefined)
      violations.push(`${id}: s3.amazonaws.com without SourceAccount (a bucket ARN names no account)`);
  }
  return violations;
}

/** A function's role may write logs only into that function's own log group. */
export function logGroupViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleId = getAttTarget(resource.Properties?.Role);
    if (!roleId || !template.Resources[roleId]) continue;
    const ownGroup = `log-group:/aws/lambda/${String(resource.Properties?.FunctionName)}:`;
    for (const statement of roleStatements(template, roleId)) {
      if (!listed(statement.Action).some((a) => a.startsWith('logs:'))) continue;
      for (const target of asArray(statement.Resource as unknown).map(intrinsicText)) {
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

/**
 * The scope a route needs by where it lives (a rule over paths, not a list of routes: a new route under
 * one of these paths gets its rule with no edit here). The first match wins.
 */
export const ROUTE_SCOPE_RULES: [RegExp, string][] = [
  [/^GET \/documents(\/|$)/, 'documents/read'],
  [/^[A-Z]+ \/documents(\/|$)/, 'documents/write'],
  // Operator reports under /health/ (GET /health itself is public liveness).
  [/^[A-Z]+ \/health\//, 'intake/admin'],
];
/** Functions that must have reserved concurrency (by the end of their FunctionName). */
export const RESERVED_CONCURRENCY_FUNCTIONS = ['document-process'];

/** What the authorizer must trust by default: the template's Cognito pool, or undefined without one. */
function cognitoExpectation(template: Template): { issuer: unknown; audience: unknown[] } | undefined {
  const pools = ofType(template, 'AWS::Cognito::UserPool');
  if (pools.length !== 1) return undefined;
  const [poolId] = pools[0]!;
  const clients = ofType(template, 'AWS::Cognito::UserPoolClient')
    .filter(([, client]) => refTarget(client.Properties?.UserPoolId) === poolId)
    .map(([id]) => ({ Ref: id }));
  return {
    issuer: { 'Fn::Sub': `https://cognito-idp.\${AWS::Region}.amazonaws.com/\${${poolId}}` },
    audience: clients,
  };
}

/**
 * Every JWT authorizer reads the bearer token and trusts the configured issuer and audience: the ones
 * given, else the template's own Cognito pool (issuer built from its id, audience its app clients),
 * else a literal https issuer (or a loopback http one for stage local) and literal audiences.
 */
export function authorizerViolations(template: Template, options: TemplateRuleOptions = {}): string[] {
  const violations: string[] = [];
  const expected = options.authorizer ?? cognitoExpectation(template);
  for (const [id, authorizer] of ofType(template, 'AWS::ApiGatewayV2::Authorizer')) {
    const properties = authorizer.Properties ?? {};
    if (properties.AuthorizerType !== 'JWT') continue;
    const config = (properties.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
    const audience = asArray(config.Audience as unknown);
    if (
      canonical(asArray(properties.IdentitySource as unknown)) !==
      canonical(['$request.header.Authorization'])
    )
      violations.push(`${id}: IdentitySource is not the Authorization header`);
    if (expected) {
      if (canonical(config.Issuer) !== canonical(expected.issuer))
        violations.push(`${id}: issuer ${canonical(config.Issuer)} is not ${canonical(expected.issuer)}`);
      const sorted = (items: unknown[]) => items.map(canonical).sort().join(',');
      if (audience.length === 0 || sorted(audience) !== sorted(expected.audience))
        violations.push(`${id}: audience ${canonical(audience)} is not ${canonical(expected.audience)}`);
    } else {
      const issuer = typeof config.Issuer === 'string' ? config.Issuer : '';
      const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(issuer);
      if (!issuer.startsWith('https://') && !(options.stage === 'local' && loopback))
        violations.push(
          `${id}: issuer ${canonical(config.Issuer)} is neither https nor this stack's Cognito pool`,
        );
      if (audience.length === 0 || !audience.every((item) => typeof item === 'string' && item.length > 0))
        violations.push(`${id}: audience ${canonical(audience)} is empty or not literal`);
    }
  }
  return violations;
}

/** `<identifier>/<scope>` of every scope this template's Cognito resource servers define (none: no pool). */
function definedScopes(template: Template): Set<string> {
  const defined = new Set<string>();
  for (const [, server] of ofType(template, 'AWS::Cognito::UserPoolResourceServer')) {
    const identifier = String(server.Properties?.Identifier);
    for (const scope of asArray(server.Properties?.Scopes as { ScopeName?: string }[] | undefined))
      defined.add(`${identifier}/${String(scope.ScopeName)}`);
  }
  return defined;
}

/**
 * Default deny: every HTTP API route has a JWT authorizer of this template with at least one scope (or
 * IAM authorization), except the routes the service declares public on the route itself
 * (options.publicRoutes), which have none. A route under a path of ROUTE_SCOPE_RULES needs that scope
 * from a JWT: its handler reads the caller from verified JWT claims (src/auth/caller.ts), so an AWS_IAM
 * route would pass API Gateway and then answer every call 401. With a Cognito pool, every scope a route
 * asks for is one its resource servers define (else no token could ever carry it).
 */
export function routeViolations(template: Template, options: TemplateRuleOptions = {}): string[] {
  const violations: string[] = [];
  const publicRoutes = new Set(options.publicRoutes ?? []);
  const routeKeys = new Set<string>();
  const defined = definedScopes(template);
  for (const [id, route] of ofType(template, 'AWS::ApiGatewayV2::Route')) {
    const properties = route.Properties ?? {};
    const key = String(properties.RouteKey);
    routeKeys.add(key);
    const type = String(properties.AuthorizationType ?? 'NONE');
    const scopes = asArray(properties.AuthorizationScopes as string[] | undefined);
    const authorizerId = refTarget(properties.AuthorizerId);
    const authorizer = authorizerId ? template.Resources[authorizerId] : undefined;
    const jwt =
      type === 'JWT' &&
      authorizer?.Type === 'AWS::ApiGatewayV2::Authorizer' &&
      authorizer.Properties?.AuthorizerType === 'JWT';
    const label = `${id} (${key})`;

    if (publicRoutes.has(key)) {
      if (type !== 'NONE' || properties.AuthorizerId !== undefined)
        violations.push(`${label}: declared public, but has authorization ${type}`);
      continue;
    }
    const undefinedScopes = defined.size > 0 ? scopes.filter((scope) => !defined.has(scope)) : [];
    if (undefinedScopes.length > 0)
      violations.push(
        `${label}: scope ${undefinedScopes.join(', ')} is defined by no Cognito resource server`,
      );
    const scope = ROUTE_SCOPE_RULES.find(([pattern]) => pattern.test(key))?.[1];
    if (scope) {
      if (!jwt) violations.push(`${label}: needs a JWT authorizer of this template with the ${scope} scope`);
      else if (!scopes.includes(scope))
        violations.push(`${label}: needs the ${scope} scope, has ${canonical(scopes)}`);
      continue;
    }
    if (type === 'AWS_IAM') continue;
    if (!jwt) violations.push(`${label}: no authorizer and not declared public`);
    else if (scopes.length === 0) violations.push(`${label}: JWT authorizer without a scope`);
  }
  for (const key of publicRoutes)
    if (!routeKeys.has(key)) violations.push(`${key}: declared public, but the template has no such route`);
  return violations;
}

/** Every HTTP API has a stage whose default route settings throttle (rate and burst, both > 0). */
export function throttlingViolations(template: Template): string[] {
  const violations: string[] = [];
  const stages = ofType(template, 'AWS::ApiGatewayV2::Stage');
  for (const [apiId, api] of ofType(template, 'AWS::ApiGatewayV2::Api')) {
    if (api.Properties?.ProtocolType !== 'HTTP') continue;
    const own = stages.filter(([, stage]) => refTarget(stage.Properties?.ApiId) === apiId);
    if (own.length === 0) violations.push(`${apiId}: no stage, so no throttling`);
    for (const [stageId, stage] of own) {
      const settings = (stage.Properties?.DefaultRouteSettings ?? {}) as Record<string, unknown>;
      for (const limit of ['ThrottlingRateLimit', 'ThrottlingBurstLimit']) {
        const value = settings[limit];
        if (typeof value !== 'number' || !(value > 0))
          violations.push(
            `${stageId}: DefaultRouteSettings.${limit} is ${canonical(value)}, not a number > 0`,
          );
      }
    }
  }
  return violations;
}

/**
 * The functions that must not scale without bound have ReservedConcurrentExecutions >= 1, and each routed
 * function capped in the routes document has exactly its cap (a cap that never reached its function caps
 * nothing).
 */
export function concurrencyViolations(
  template: Template,
  targetCaps: Readonly<Record<string, number>> = {},
): string[] {
  const violations: string[] = [];
  const functions = ofType(template, 'AWS::Lambda::Function');
  for (const [key, cap] of Object.entries(targetCaps)) {
    const found = functions.find(([, fn]) => String(fn.Properties?.FunctionName ?? '').endsWith(`-${key}`));
    if (found === undefined) violations.push(`routed target ${key}: capped at ${cap}, but no such function`);
    else if (found[1].Properties?.ReservedConcurrentExecutions !== cap)
      violations.push(
        `${found[0]}: ReservedConcurrentExecutions is ${canonical(found[1].Properties?.ReservedConcurrentExecutions)}, but webhook-routes.json caps ${key} at ${cap}`,
      );
  }
  for (const [id, fn] of functions) {
    const name = String(fn.Properties?.FunctionName ?? '');
    if (!RESERVED_CONCURRENCY_FUNCTIONS.some((suffix) => name.endsWith(`-${suffix}`))) continue;
    const reserved = fn.Properties?.ReservedConcurrentExecutions;
    if (typeof reserved !== 'number' || !Number.isInteger(reserved) || reserved < 1)
      violations.push(`${id}: ReservedConcurrentExecutions is ${canonical(reserved)}, not an integer >= 1`);
  }
  return violations;
}

/** Every string anywhere in `value` (through Fn::If, Fn::Split…). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
/** The values of every `key` property anywhere in `value`. */
function propertiesNamed(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => propertiesNamed(item, key));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) =>
    name === key ? [inner] : propertiesNamed(inner, key),
  );
}

/** Outside stage `local`, no CORS origin of the HTTP API or of a bucket (any branch) contains `*`. */
export function corsViolations(template: Template, options: TemplateRuleOptions = {}): string[] {
  if (options.stage === 'local') return [];
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const key =
      resource.Type === 'AWS::ApiGatewayV2::Api'
        ? 'AllowOrigins'
        : resource.Type === 'AWS::S3::Bucket'
          ? 'AllowedOrigins'
          : undefined;
    if (!key) continue;
    const cors = resource.Properties?.CorsConfiguration;
    const origins = propertiesNamed(cors, key).flatMap(stringsIn);
    if (origins.some((origin) => origin.includes('*')))
      violations.push(`${id}: CORS ${key} contains '*' outside stage local`);
  }
  return violations;
}

/** No app client secret is read into the template (outputs, environments): it stays in Cognito. */
export function secretViolations(template: Template): string[] {
  const clients = new Set(ofType(template, 'AWS::Cognito::UserPoolClient').map(([id]) => id));
  const found = propertiesNamed(template, 'Fn::GetAtt').filter((att) => {
    const [target, attribute] = Array.isArray(att) ? att : String(att).split('.');
    return attribute === 'ClientSecret' && clients.has(String(target));
  });
  return found.length === 0
    ? []
    : [`the template reads ${found.length} app client secret(s) (GetAtt ClientSecret)`];
}

/** The template's Condition `name` on literal values (osls writes params in): Equals, Not, And, Or, Condition. */
export function conditionHolds(template: Template, name: string): boolean {
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const evaluate = (expression: unknown): boolean | string => {
    if (typeof expression === 'string' || typeof expression === 'boolean') return expression;
    const [[fn, argument]] = Object.entries(expression as Record<string, unknown>) as [[string, unknown]];
    const items = asArray(argument as unknown[]);
    switch (fn) {
      case 'Fn::Equals':
        return canonical(evaluate(items[0])) === canonical(evaluate(items[1]));
      case 'Fn::Not':
        return evaluate(items[0]) !== true;
      case 'Fn::And':
        return items.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return items.some((item) => evaluate(item) === true);
      case 'Condition':
        return conditionHolds(template, String(argument));
      default:
        throw new Error(`Condition ${name}: ${fn} is not a literal expression`);
    }
  };
  if (!(name in conditions)) throw new Error(`Condition ${name} is not declared`);
  return evaluate(conditions[name]) === true;
}

/** The resources that exist when deployed: those without a Condition, or whose Condition holds. */
export function activeResources(template: Template): [string, Resource][] {
  return Object.entries(template.Resources).filter(
    ([, resource]) => typeof resource.Condition !== 'string' || conditionHolds(template, resource.Condition),
  );
}

/** A statement that is one branch of `Fn::If` on a condition that holds, or unconditional. */
function activeStatement(template: Template, statement: unknown): Statement | undefined {
  const branches = (statement as { 'Fn::If'?: unknown[] } | null)?.['Fn::If'];
  if (!Array.isArray(branches)) return statement as Statement;
  const chosen = conditionHolds(template, String(branches[0])) ? branches[1] : branches[2];
  return (chosen as { Ref?: string } | null)?.Ref === 'AWS::NoValue'
    ? undefined
    : activeStatement(template, chosen);
}

/** The prefix GuardDuty scans, and the resource wildcards AWS's policy for its role needs (no others). */
export const MALWARE_SCAN_PREFIX = 'uploads/';
const MALWARE_ROLE_WILDCARDS = [
  /\/uploads\/\*$/,
  /:rule\/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3\*$/,
];
const GUARDDUTY_PLAN_PRINCIPAL = 'malware-protection-plan.guardduty.amazonaws.com';

/**
 * The read gates of malware scanning: the bucket policy denies reading objects under a prefix until
 * they carry a tag value. clean/ (what is served) until the processor tagged the copy processed, after
 * NO_THREATS_FOUND; uploads/ (defence in depth: nothing signs it) until GuardDuty tagged it clean.
 */
export const SCAN_GATES = [
  { prefix: 'clean/', tag: 'intake-status', value: 'processed' },
  { prefix: 'uploads/', tag: 'GuardDutyMalwareScanStatus', value: 'NO_THREATS_FOUND' },
] as const;

type GateStatement = Statement & { Condition?: Record<string, Record<string, unknown>> };

/** The gate (of SCAN_GATES) a bucket-policy statement is, if any. */
function gateOf(statement: GateStatement | undefined): (typeof SCAN_GATES)[number] | undefined {
  if (statement?.Effect !== 'Deny' || !asArray(statement.Action).includes('s3:GetObject')) return undefined;
  const resources = asArray(statement.Resource as unknown).map(intrinsicText);
  return SCAN_GATES.find(
    (gate) =>
      statement.Condition?.StringNotEquals?.[`s3:ExistingObjectTag/${gate.tag}`] === gate.value &&
      resources.some((resource) => resource.endsWith(`/${gate.prefix}*`)),
  );
}

/** The active bucket-policy statements that deny reads until an object carries its gate's tag value. */
export function scanGateStatements(template: Template): Statement[] {
  return activeResources(template)
    .filter(([, resource]) => resource.Type === 'AWS::S3::BucketPolicy')
    .flatMap(([, resource]) =>
      asArray((resource.Properties?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement),
    )
    .map((statement) => activeStatement(template, statement) as GateStatement | undefined)
    .filter((statement): statement is GateStatement => gateOf(statement) !== undefined);
}

/**
 * Malware scanning (condition EnableMalwareScanning, param malwareScanning) is all or nothing. On: a
 * GuardDuty MalwareProtectionPlan on uploads/ with tagging, assuming a role trusted only by GuardDuty whose
 * statements name no Resource '*', no wildcard action and no wildcard but AWS's documented ones (objects
 * under uploads/, GuardDuty's managed rule name); the bucket policy's read gates (SCAN_GATES: clean/ until
 * tagged processed, uploads/ until NO_THREATS_FOUND); an EventBridge rule for the scan results. Off: none
 * of the plan, its role, the gates.
 */
export function malwareScanningViolations(template: Template): string[] {
  const active = activeResources(template);
  const plans = active.filter(([, resource]) => resource.Type === 'AWS::GuardDuty::MalwareProtectionPlan');
  // A template without the condition scans when it declares a plan (and then must have all the rest).
  const declared = 'EnableMalwareScanning' in ((template.Conditions ?? {}) as object);
  const enabled = declared ? conditionHolds(template, 'EnableMalwareScanning') : plans.length > 0;
  const guardDutyRoles = active.filter(
    ([, resource]) =>
      resource.Type === 'AWS::IAM::Role' &&
      JSON.stringify(resource.Properties?.AssumeRolePolicyDocument ?? {}).includes(GUARDDUTY_PLAN_PRINCIPAL),
  );
  const gates = scanGateStatements(template);
  const rules = active.filter(
    ([, resource]) =>
      resource.Type === 'AWS::Events::Rule' &&
      JSON.stringify(resource.Properties?.EventPattern ?? {}).includes(
        'GuardDuty Malware Protection Object Scan Result',
      ),
  );
  if (!enabled) {
    return [
      ...plans.map(([id]) => `${id}: a malware protection plan exists with scanning off`),
      ...guardDutyRoles.map(([id]) => `${id}: a GuardDuty role exists with scanning off`),
      ...(gates.length > 0 ? ['the bucket policy gates reads on a scan tag with scanning off'] : []),
      ...rules.map(([id]) => `${id}: a scan result rule exists with scanning off`),
    ];
  }
  const violations: string[] = [];
  if (plans.length !== 1) violations.push(`${plans.length} malware protection plans, expected 1`);
  for (const [id, plan] of plans) {
    const properties = plan.Properties ?? {};
    const bucket = (properties.ProtectedResource as { S3Bucket?: { ObjectPrefixes?: unknown } } | undefined)
      ?.S3Bucket;
    if (canonical(bucket?.ObjectPrefixes) !== canonical([MALWARE_SCAN_PREFIX]))
      violations.push(`${id}: scans ${canonical(bucket?.ObjectPrefixes)}, not [${MALWARE_SCAN_PREFIX}]`);
    if ((properties.Actions as { Tagging?: { Status?: string } } | undefined)?.Tagging?.Status !== 'ENABLED')
      violations.push(`${id}: tagging is not ENABLED (the bucket policy reads the tag)`);
    const roleId = getAttTarget(properties.Role);
    const role = guardDutyRoles.find(([candidate]) => candidate === roleId);
    if (!role) {
      violations.push(`${id}: its Role is not an active role trusted by ${GUARDDUTY_PLAN_PRINCIPAL}`);
      continue;
    }
    for (const statement of roleStatements(template, role[0])) {
      const label = `${roleId}${statement.Sid ? `/${statement.Sid}` : ''}`;
      for (const action of asArray(statement.Action).filter((a) => a.includes('*')))
        violations.push(`${label}: wildcard action ${action}`);
      for (const target of asArray(statement.Resource as unknown).map(intrinsicText)) {
        if (target.includes('*') && !MALWARE_ROLE_WILDCARDS.some((pattern) => pattern.test(target)))
          violations.push(`${label}: wildcard resource ${target}`);
      }
    }
  }
  for (const gate of SCAN_GATES) {
    if (!gates.some((statement) => gateOf(statement) === gate))
      violations.push(
        `no bucket policy statement denies reads of ${gate.prefix} until ${gate.tag}=${gate.value}`,
      );
  }
  if (rules.length === 0) violations.push('no EventBridge rule routes the scan results');
  return violations;
}

/** The prefixes of the documents bucket that may hold bytes nobody has inspected yet (or that failed). */
const UNINSPECTED_PREFIXES = ['/uploads/', '/quarantine/'];

/**
 * Issue 12, documents: (1) documents-api signs download URLs with its own role, so it may read objects
 * only under manifests/ and clean/ — never uploads/ or quarantine/, whose bytes were not inspected or
 * failed; (2) "delete erases": every prefix documents-api may s3:DeleteObject it may also
 * s3:DeleteObjectVersion (else the content survives as noncurrent versions); (3) s3:ListBucketVersions is
 * granted only with an s3:prefix condition.
 */
export function documentStorageViolations(template: Template): string[] {
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const statement of roleStatements(template, id)) {
      if (statement.Effect !== 'Allow' || !asArray(statement.Action).includes('s3:ListBucketVersions'))
        continue;
      const prefixes = Object.values(statement.Condition ?? {}).some((test) => 's3:prefix' in (test ?? {}));
      if (!prefixes)
        violations.push(
          `${id}${statement.Sid ? `/${statement.Sid}` : ''}: s3:ListBucketVersions without an s3:prefix condition`,
        );
    }
  }
  for (const [id, fn] of Object.entries(template.Resources)) {
    if (
      fn.Type !== 'AWS::Lambda::Function' ||
      !String(fn.Properties?.FunctionName).endsWith('-documents-api')
    )
      continue;
    const roleId = getAttTarget(fn.Properties?.Role);
    const role = roleId ? template.Resources[roleId] : undefined;
    if (!role) continue;
    const granted = (action: string) =>
      roleStatements(template, roleId!)
        .filter((statement) => statement.Effect === 'Allow' && asArray(statement.Action).includes(action))
        .flatMap((statement) => asArray(statement.Resource as unknown).map(intrinsicText));
    for (const target of granted('s3:GetObject')) {
      if (UNINSPECTED_PREFIXES.some((prefix) => target.includes(prefix)))
        violations.push(
          `${roleId} (${id}): s3:GetObject on ${target}: downloads must be signed for clean/ only`,
        );
    }
    const versionDeletes = new Set(granted('s3:DeleteObjectVersion'));
    for (const target of granted('s3:DeleteObject')) {
      if (!versionDeletes.has(target))
        violations.push(
          `${roleId} (${id}): s3:DeleteObject on ${target} without s3:DeleteObjectVersion: delete must erase`,
        );
    }
  }
  return violations;
}

/**
 * A role that reads objects of the documents bucket also holds s3:ListBucket on the bucket, with no
 * condition: S3 answers a GetObject of a missing key with 404 only to such a caller, and with 403
 * AccessDenied otherwise (an s3:prefix condition does not match an object read), so "no manifest yet"
 * or "unknown id" would surface as a 5xx in AWS while the local stack (which has no IAM) answers 404.
 */
export function missingKeyStatusViolations(template: Template): string[] {
  const violations: string[] = [];
  // The bucket as roles name it: by reference, or by its ARN built from its name (where a reference
  // would close a dependency cycle through the bucket's notification).
  const name = template.Resources.DocumentsBucket?.Properties?.BucketName;
  const namedArn = name === undefined ? undefined : `arn:\${AWS::Partition}:s3:::${intrinsicText(name)}`;
  const bucketArns = ['${DocumentsBucket.Arn}', ...(namedArn ? [namedArn] : [])];
  const objectPrefixes = ['${DocumentsBucket.Arn}/', ...(namedArn ? [`${namedArn}/`] : [])];
  for (const [id] of ofType(template, 'AWS::IAM::Role')) {
    const allowed = roleStatements(template, id).filter((statement) => statement.Effect === 'Allow');
    const readsDocuments = allowed.some(
      (statement) =>
        asArray(statement.Action).includes('s3:GetObject') &&
        asArray(statement.Resource as unknown)
          .map(intrinsicText)
          .some((target) => objectPrefixes.some((prefix) => target.startsWith(prefix))),
    );
    if (!readsDocuments) continue;
    const lists = allowed.some(
      (statement) =>
        asArray(statement.Action).includes('s3:ListBucket') &&
        statement.Condition === undefined &&
        asArray(statement.Resource as unknown)
          .map(intrinsicText)
          .some((target) => bucketArns.includes(target)),
    );
    if (!lists)
      violations.push(
        `${id}: reads documents objects without an unconditioned s3:ListBucket on the bucket (a missing key would be 403, not 404)`,
      );
  }
  return violations;
}

/** All rules at once; empty = the template keeps them. */
export function templateViolations(template: Template, options: TemplateRuleOptions = {}): string[] {
  return [
    ...roleViolations(template),
    ...statementViolations(template),
    ...prefixWriterViolations(template),
    ...invokePermissionViolations(template),
    ...logGroupViolations(template),
    ...visibilityViolations(template),
    ...authorizerViolations(template, options),
    ...routeViolations(template, options),
    ...throttlingViolations(template),
    ...concurrencyViolations(template, options.targetCaps),
    ...corsViolations(template, options),
    ...secretViolations(template),
    ...malwareScanningViolations(template),
    ...documentStorageViolations(template),
    ...missingKeyStatusViolations(template),
    ...accessLogViolations(template),
    ...failureQueueAlarmViolations(template),
    ...alarmStageViolations(template, options),
    ...costAllocationTagViolations(template, options),
  ];
}
