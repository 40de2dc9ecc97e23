import type { PolicyCondition, PostPolicy } from './policy-document';
import { S3PostError, policyViolation } from './s3-post-error';

// Fields S3 does not require a condition for.
const EXEMPT_FIELDS = new Set(['x-amz-signature', 'file', 'policy']);

/**
 * Checks a POST's form fields (lower-cased names, the key as submitted, before `${filename}`) against its
 * policy as S3 does: not expired; every `eq` / `starts-with` condition holds (`bucket` compared with the
 * bucket in the path); every submitted field except x-amz-signature, policy, file and x-ignore-* is
 * covered by a condition. Returns the content-length-range to enforce on the file (default 0..∞).
 * Throws 403 AccessDenied "Invalid according to Policy: …" on the first failure.
 */
export function checkPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  now: Date,
): { min: number; max: number } {
  if (policy.expiration.getTime() <= now.getTime()) throw policyViolation('Policy expired.');
  const values = new Map(fields);
  values.set('bucket', bucket);
  let range = { min: 0, max: Number.POSITIVE_INFINITY };
  const covered = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: condition.min, max: condition.max };
      continue;
    }
    covered.add(condition.field);
    if (!holds(condition, values.get(condition.field))) {
      throw policyViolation(`Policy Condition failed: ${JSON.stringify(condition.source)}`);
    }
  }
  const extra = [...fields.keys()].filter(
    (name) => !EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-') && !covered.has(name),
  );
  if (extra.length > 0) throw policyViolation(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

function holds(
  condition: Exclude<PolicyCondition, { kind: 'content-length-range' }>,
  value: string | undefined,
) {
  if (condition.kind === 'eq') return value === condition.value;
  // starts-with "" allows any value, the field's absence included.
  if (condition.prefix === '') return true;
  if (value === undefined) return false;
  // Content-Type may list several types separated by commas: each must match the prefix.
  if (condition.field === 'content-type')
    return value.split(',').every((part) => part.trim().startsWith(condition.prefix));
  return value.startsWith(condition.prefix);
}

/** The size check S3 applies once the file has been received: 400 EntityTooSmall / EntityTooLarge. */
export function checkContentLength(size: number, range: { min: number; max: number }): void {
  if (size > range.max) {
    throw new S3PostError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: size,
      MaxSizeAllowed: range.max,
    });
  }
  if (size < range.min) {
    throw new S3PostError(
      400,
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size',
      {
        ProposedSize: size,
        MinSizeAllowed: range.min,
      },
    );
  }
}
