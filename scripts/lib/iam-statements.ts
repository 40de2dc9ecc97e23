/**
 * The IAM statements a role of a packaged template grants, wherever the template writes them (inline
 * `Policies`, or an `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` attached to it, each branch of a
 * `Fn::If`), and the IAM matching rules the template rules need: action and resource wildcards, the
 * scope of an ARN, the object keys an S3 ARN covers.
 */
import type { Resource, Template } from './cfn';
import { asArray, intrinsicText, refTarget } from './cfn';

export interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Sid?: string;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A statement, or both branches of a conditional one (`Fn::If`), so conditions cannot hide a grant. */
function unwrapConditional(statement: unknown): Statement[] {
  const branches = (statement as { 'Fn::If'?: unknown[] } | null)?.['Fn::If'];
  if (!Array.isArray(branches)) return [statement as Statement];
  return branches
    .slice(1)
    .filter((branch) => refTarget(branch) !== 'AWS::NoValue')
    .flatMap(unwrapConditional);
}

const documentStatements = (document: unknown): Statement[] =>
  asArray((document as { Statement?: unknown } | undefined)?.Statement as unknown).flatMap(unwrapConditional);

/** Statements of the role's inline `Policies` only (what a role resource itself carries). */
export function inlineStatements(role: Resource): Statement[] {
  const policies = asArray(role.Properties?.Policies as { PolicyDocument?: unknown }[] | undefined);
  return policies.flatMap((policy) => documentStatements(policy.PolicyDocument));
}

const ATTACHABLE_POLICY_TYPES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/** Every statement role `roleId` gets from this template: inline, and from policies attached to it. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (!role) return [];
  const attached = Object.values(template.Resources)
    .filter((resource) => ATTACHABLE_POLICY_TYPES.has(resource.Type))
    .filter((policy) =>
      asArray(policy.Properties?.Roles as unknown).some((target) => refTarget(target) === roleId),
    )
    .flatMap((policy) => documentStatements(policy.Properties?.PolicyDocument));
  return [...inlineStatements(role), ...attached];
}

/** IAM's wildcard match (`*` any run of characters, `?` one character) of a whole string. */
export function wildcardMatches(pattern: string, text: string, caseInsensitive = false): boolean {
  const source = pattern
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(text);
}

/** True when action pattern `pattern` (e.g. `s3:Put*`) grants `action`; IAM compares actions case-insensitively. */
export const actionMatches = (pattern: string, action: string): boolean =>
  wildcardMatches(pattern, action, true);

/** A resource as text with every `${…}` placeholder (a reference or pseudo parameter) made a literal name. */
const NAMED = 'NAMED';
const withNamedPlaceholders = (text: string): string => text.replace(/\$\{[^}]*\}/g, NAMED);

/**
 * Why `resource` (a statement's Resource entry) is not scoped to named resources, or undefined when it
 * is: `*`; an ARN whose region or account is a wildcard; an ARN whose resource is only a wildcard after
 * its type (`function:*`, `table/*`, `log-group:*`), or an S3 ARN whose bucket name has a wildcard.
 * Prefixes of a name (`secret:intake/dev/webhooks/*`, `${Bucket.Arn}/uploads/*`) are scoped.
 */
export function unscopedResource(resource: unknown): string | undefined {
  const written = intrinsicText(resource);
  const text = withNamedPlaceholders(written);
  if (text === '*') return "Resource '*'";
  // `${Table.Arn}/index/*`: every index, present and future, of the table; name the one read.
  if (/\/index\/[*?]+$/.test(text)) return `every index of a table ${written}`;
  // Anything else is built on a reference (`${Bucket.Arn}/uploads/*`): a named resource of this template.
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6) return `malformed ARN ${written}`;
  const [, , service, region = '', account = ''] = parts;
  const name = parts.slice(5).join(':');
  if (region.includes('*') || account.includes('*')) return `resource in any region/account ${written}`;
  if (service === 's3') {
    const bucket = name.split('/')[0] ?? '';
    return bucket.includes('*') || bucket === '' ? `any bucket ${written}` : undefined;
  }
  // `function:*`, `table/*`: a type, then nothing named. After a reference (`${HttpApi}/*`) the first
  // segment is itself the named resource, and what follows is a part of it.
  const [first = '', second] = name.split(/[:/]/);
  const wildcard = (segment: string | undefined) => segment !== undefined && /^[*?]+$/.test(segment);
  if (wildcard(first) || (first !== NAMED && wildcard(second))) return `every resource of a type ${written}`;
  return undefined;
}

/**
 * The object-key pattern of an S3 object ARN (`${Bucket.Arn}/events/*` → `events/*`,
 * `arn:aws:s3:::b/k*` → `k*`), or undefined for anything that is not an object ARN.
 */
export function s3ObjectKeyPattern(resource: unknown): string | undefined {
  const text = intrinsicText(resource);
  const viaAttribute = /^\$\{[^}]+\.Arn\}\/(.*)$/s.exec(text);
  if (viaAttribute) return viaAttribute[1];
  const literal = /^arn:[^:]*:s3:::[^/]+\/(.*)$/s.exec(withNamedPlaceholders(text));
  return literal?.[1];
}
