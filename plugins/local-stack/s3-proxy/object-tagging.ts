import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { emulatorRequest } from './emulator-request';
import { escapeXml, S3PostError } from './s3-post-error';

/** How one request goes on to the emulator: with these headers, and a step to take once it has succeeded. */
export interface Forwarding {
  headers: IncomingHttpHeaders;
  afterSuccess?: () => Promise<void>;
}

/**
 * The raw path `/<bucket>/<key>` of a PutObject or CopyObject: a PUT whose query names no sub-resource
 * (the SDK's `x-id` and a presigned URL's `X-Amz-*` and hoisted `x-amz-*` parameters are not).
 */
export function objectPutPath(req: IncomingMessage): string | undefined {
  if (req.method !== 'PUT') return undefined;
  const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
  const subresources = [...new URLSearchParams(query).keys()].filter(
    (name) => name !== 'x-id' && !/^x-amz-/i.test(name),
  );
  return subresources.length === 0 && /^\/[^/]+\/.+/.test(path) ? path : undefined;
}

/**
 * Object tags as S3 keeps them, on an emulator (s3rver 3.7.1) that ignores PutObject's `x-amz-tagging`
 * header, drops tags on CopyObject and decodes the copy source with `decodeURI` (so `%2B`, `%23`… would
 * not match the key): the tagging headers are taken off, the copy source is re-encoded the way the emulator
 * decodes it, and once the write has succeeded the tags are written with PutObjectTagging — the header's
 * tags, or for a copy the source's (TaggingDirective COPY, the default) or the request's (REPLACE).
 * `path` is the request's `/<bucket>/<key>` (objectPutPath).
 */
export async function objectWriteForwarding(
  req: IncomingMessage,
  path: string,
  target: URL,
): Promise<Forwarding> {
  const { 'x-amz-tagging': tagging, 'x-amz-tagging-directive': directive, ...headers } = req.headers;
  const copySource = headers['x-amz-copy-source'];
  if (typeof copySource !== 'string') {
    if (typeof tagging !== 'string') return { headers };
    const document = tagSetXml(tagging);
    return { headers, afterSuccess: () => putTagging(target, path, document) };
  }
  const source = parseCopySource(copySource);
  headers['x-amz-copy-source'] = encodeURI(`${source.bucket}/${source.key}`);
  const tags =
    String(directive).toUpperCase() === 'REPLACE'
      ? tagSetXml(typeof tagging === 'string' ? tagging : '')
      : await readTagging(target, source);
  if (tags === undefined) return { headers };
  return { headers, afterSuccess: () => putTagging(target, path, tags) };
}

/** `x-amz-copy-source`: `[/]<bucket>/<key>[?versionId=…]`, URL-encoded. */
function parseCopySource(value: string): { bucket: string; key: string } {
  const [path = ''] = value.replace(/^\//, '').split('?', 1);
  const slash = path.indexOf('/');
  try {
    if (slash > 0)
      return {
        bucket: decodeURIComponent(path.slice(0, slash)),
        key: decodeURIComponent(path.slice(slash + 1)),
      };
  } catch {
    // Malformed percent-encoding: refused below as S3 refuses it.
  }
  throw new S3PostError(
    400,
    'InvalidArgument',
    'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: value,
    },
  );
}

/** S3's limits on an object's tag set (the emulator stores any): refused before anything is written. */
const MAX_TAGS = 10;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

/**
 * The `<Tagging>` document of the tags in an `x-amz-tagging` header (URL-encoded `key=value&…`). Throws
 * S3's 400 for a set S3 refuses: more than 10 tags, a repeated key, a key of 0 or over 128 characters, a
 * value over 256.
 */
function tagSetXml(header: string): string {
  const pairs = [...new URLSearchParams(header)];
  if (pairs.length > MAX_TAGS)
    throw new S3PostError(400, 'BadRequest', 'Object tags cannot be greater than 10');
  if (new Set(pairs.map(([key]) => key)).size < pairs.length)
    throw new S3PostError(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
  for (const [key, value] of pairs) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH)
      throw new S3PostError(400, 'InvalidTag', 'The TagKey you have provided is invalid');
    if (value.length > MAX_TAG_VALUE_LENGTH)
      throw new S3PostError(400, 'InvalidTag', 'The TagValue you have provided is too long, max 256');
  }
  const tags = pairs
    .map(([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`)
    .join('');
  return `<Tagging><TagSet>${tags}</TagSet></Tagging>`;
}

const objectPath = (source: { bucket: string; key: string }) =>
  `/${encodeURIComponent(source.bucket)}/${source.key.split('/').map(encodeURIComponent).join('/')}`;

/** The source object's `<Tagging>` document, or undefined when it does not exist (the copy then fails itself). */
async function readTagging(
  target: URL,
  source: { bucket: string; key: string },
): Promise<string | undefined> {
  const answer = await emulatorRequest(target, 'GET', `${objectPath(source)}?tagging`);
  return answer.status === 200 ? answer.body.toString('utf8') : undefined;
}

async function putTagging(target: URL, path: string, document: string): Promise<void> {
  const answer = await emulatorRequest(target, 'PUT', `${path}?tagging`, document);
  if (answer.status >= 300) throw new Error(`PutObjectTagging on the emulator answered ${answer.status}`);
}
