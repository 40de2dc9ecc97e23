import { S3PostError } from './s3-post-error';

/** One condition of a POST policy; field names lower-cased (S3 matches them case-insensitively). */
export type PolicyCondition =
  | { kind: 'eq'; field: string; value: string; source: unknown }
  | { kind: 'starts-with'; field: string; prefix: string; source: unknown }
  | { kind: 'content-length-range'; min: number; max: number; source: unknown };

export interface PostPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
}

const invalid = (message: string) =>
  new S3PostError(400, 'InvalidPolicyDocument', `Invalid Policy: ${message}`);

/**
 * Decodes a base64 POST policy and checks its shape as S3 does: JSON with an ISO `expiration` and a
 * `conditions` array of `{field: value}` objects or `[op, "$field", value]` triples
 * (`eq`, `starts-with`, `content-length-range`). Throws 400 InvalidPolicyDocument otherwise.
 */
export function decodePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null) throw invalid('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  const expires = typeof expiration === 'string' ? new Date(expiration) : undefined;
  if (!expires || Number.isNaN(expires.getTime())) throw invalid('Policy missing expiration.');
  if (!Array.isArray(conditions)) throw invalid('Policy missing conditions.');
  return { expiration: expires, conditions: conditions.map(parseCondition) };
}

function parseCondition(source: unknown): PolicyCondition {
  if (Array.isArray(source)) {
    const [operator, first, second] = source as unknown[];
    if (source.length !== 3 || typeof operator !== 'string')
      throw invalid(`Invalid Policy condition: ${json(source)}`);
    if (operator.toLowerCase() === 'content-length-range') {
      const min = Number(first);
      const max = Number(second);
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min)
        throw invalid(`Invalid content-length-range: ${json(source)}`);
      return { kind: 'content-length-range', min, max, source };
    }
    if (typeof first !== 'string' || !first.startsWith('$') || typeof second !== 'string')
      throw invalid(`Invalid Policy condition: ${json(source)}`);
    const field = first.slice(1).toLowerCase();
    if (operator.toLowerCase() === 'eq') return { kind: 'eq', field, value: second, source };
    if (operator.toLowerCase() === 'starts-with')
      return { kind: 'starts-with', field, prefix: second, source };
    throw invalid(`Invalid Policy condition operator: ${operator}`);
  }
  if (typeof source === 'object' && source !== null) {
    const entries = Object.entries(source);
    if (entries.length === 1 && typeof entries[0]![1] === 'string') {
      return { kind: 'eq', field: entries[0]![0].toLowerCase(), value: entries[0]![1], source };
    }
  }
  throw invalid(`Invalid Policy condition: ${json(source)}`);
}

const json = (value: unknown) => JSON.stringify(value);
