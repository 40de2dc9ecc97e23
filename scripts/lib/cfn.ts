/**
 * Reading a packaged CloudFormation template: the shapes and the small lookups every template rule
 * shares (intrinsics as text, resources by type). Pure, no I/O.
 */

export type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
export type Template = { Resources: Record<string, Resource>; [key: string]: unknown };

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The logical id a `Fn::GetAtt` points at (either form), else undefined. */
export const getAttTarget = (value: unknown): string | undefined => {
  const att = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(att)) return String(att[0]);
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
};

/** The logical id (or pseudo parameter) a `Ref` names, else undefined. */
export const refTarget = (value: unknown): string | undefined => {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
};

export const canonical = (value: unknown): string => JSON.stringify(value);

export const ofType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/**
 * A value as the text CloudFormation would build, intrinsics kept readable: plain strings as they are,
 * `Fn::Sub` templates as written (`${Bucket.Arn}/uploads/*`), `Fn::Join` joined with each non-literal
 * part as `${…}`, a `Fn::GetAtt` as `${Id.Attr}`, a `Ref` as `${Id}`; anything else as JSON.
 */
export function intrinsicText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub)) return String(sub[0]);
  const join = (value as { 'Fn::Join'?: unknown })['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1]))
    return (join[1] as unknown[]).map(intrinsicText).join(String(join[0]));
  const att = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (att !== undefined) return `\${${Array.isArray(att) ? att.join('.') : String(att)}}`;
  const ref = refTarget(value);
  if (ref !== undefined) return `\${${ref}}`;
  return JSON.stringify(value);
}
