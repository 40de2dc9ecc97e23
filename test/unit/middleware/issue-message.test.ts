import * as z from 'zod/mini';
import { describeIssue } from '../../../src/middleware/issue-message';

function messagesOf(schema: z.core.$ZodType, input: unknown): string[] {
  const result = z.safeParse(schema, input);
  if (result.success) throw new Error('expected a failure');
  return result.error.issues.map(describeIssue);
}

describe('describeIssue', () => {
  it.each<[string, z.core.$ZodType, unknown, string]>([
    ['a wrong type', z.number(), 'x', 'Expected number'],
    ['a short string', z.string().check(z.minLength(3)), 'ab', 'Must have at least 3 characters'],
    ['a long array', z.array(z.string()).check(z.maxLength(1)), ['a', 'b'], 'Must have at most 1 items'],
    ['a small number', z.number().check(z.gt(5)), 5, 'Must be more than 5'],
    ['a big number', z.number().check(z.lte(5)), 6, 'Must be at most 5'],
    ['an exclusive maximum', z.number().check(z.lt(5)), 5, 'Must be less than 5'],
    [
      'a string over an exclusive maximum',
      z.string().check(z.maxLength(1)),
      'ab',
      'Must have at most 1 characters',
    ],
    ['a short array', z.array(z.string()).check(z.minLength(2)), ['a'], 'Must have at least 2 items'],
    ['a number below a minimum', z.number().check(z.gte(3)), 2, 'Must be at least 3'],
    ['a number not above an exclusive minimum', z.number().check(z.gt(1)), 1, 'Must be more than 1'],
    ['a too-large set', z.set(z.number()).check(z.maxSize(1)), new Set([1, 2]), 'Must have at most 1 items'],
    ['a bad e-mail', z.email(), 'nope', 'Must be a valid email'],
    ['a pattern mismatch', z.string().check(z.regex(/^\d+$/)), 'a', 'Does not match the expected pattern'],
    ['a non-multiple', z.number().check(z.multipleOf(5)), 7, 'Must be a multiple of 5'],
    ['unknown keys', z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 }, 'Unknown keys: b, c'],
    ['one unknown key', z.strictObject({}), { b: 1 }, 'Unknown key: b'],
    ['a value outside an enum', z.enum(['a', 'b']), 'c', 'Must be one of: "a", "b"'],
    ['no union member', z.union([z.string(), z.number()]), true, 'Does not match any of the allowed shapes'],
  ])('words %s', (_case, schema, input, message) => {
    expect(messagesOf(schema, input)).toEqual([message]);
  });

  it("keeps a schema's own message", () => {
    expect(messagesOf(z.string({ error: 'name is required' }), undefined)).toEqual(['name is required']);
  });

  it('never quotes the input', () => {
    expect(messagesOf(z.number(), 's3cr3t').join(' ')).not.toContain('s3cr3t');
  });

  it('falls back to a neutral message for rarer codes', () => {
    expect(
      describeIssue({
        code: 'invalid_key',
        origin: 'record',
        issues: [],
        path: [],
        message: 'Invalid input',
        input: 1,
      } as never),
    ).toBe('Invalid value');
  });
});
