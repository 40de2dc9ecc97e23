import type * as z from 'zod/mini';

const units: Record<string, string> = {
  string: ' characters',
  array: ' items',
  set: ' items',
  file: ' bytes',
};

/**
 * A short English message for one zod issue, never quoting the input. zod/mini carries no messages (every
 * issue says "Invalid input") and zod's English locale drags a CommonJS copy of zod's core into each HTTP
 * bundle (~7 KB zipped), so the common codes are worded here; a schema's own custom message always wins.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `Expected ${issue.expected}`;
    case 'too_small':
      // Lengths and sizes are always inclusive bounds; only numbers and dates have exclusive ones.
      return issue.origin in units
        ? `Must have at least ${issue.minimum}${units[issue.origin]}`
        : `Must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin in units
        ? `Must have at most ${issue.maximum}${units[issue.origin]}`
        : `Must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? 'Does not match the expected pattern'
        : `Must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `Must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unknown key${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return `Must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union':
      return 'Does not match any of the allowed shapes';
    default:
      return 'Invalid value';
  }
}
