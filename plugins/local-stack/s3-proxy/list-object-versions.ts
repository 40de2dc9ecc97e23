import type { IncomingMessage, ServerResponse } from 'node:http';
import { emulatorRequest } from './emulator-request';
import { escapeXml } from './s3-post-error';

/** The bucket of a ListObjectVersions request (`GET /<bucket>?versions…`, path-style), if it is one. */
export function listObjectVersionsBucket(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return undefined;
  const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
  const bucket = /^\/([^/]+)\/?$/.exec(path)?.[1];
  return bucket !== undefined && new URLSearchParams(query).has('versions')
    ? decodeURIComponent(bucket)
    : undefined;
}

/**
 * ListObjectVersions as S3 answers it for a bucket that was never versioned, on an emulator (s3rver
 * 3.7.1) that has no versions and answers it 405: every current object is listed once, as its only
 * version, with `VersionId` "null" and `IsLatest` true (S3's own answer for such a bucket), from a plain
 * ListObjectsV2 of the emulator. Prefix, delimiter, max-keys and key-marker paging are honoured; version-id
 * markers need nothing more, as each key has one version.
 */
export async function answerListObjectVersions(
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  target: URL,
): Promise<void> {
  const query = new URLSearchParams((req.url ?? '').split('?', 2)[1]);
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const maxKeys = query.get('max-keys') ?? '1000';
  const delimiter = query.get('delimiter');
  const listing = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': maxKeys });
  if (keyMarker) listing.set('start-after', keyMarker);
  if (delimiter) listing.set('delimiter', delimiter);
  const answer = await emulatorRequest(target, 'GET', `/${encodeURIComponent(bucket)}?${listing}`);
  req.resume();
  if (answer.status !== 200) {
    res.writeHead(answer.status, { 'content-type': 'application/xml' }).end(answer.body);
    return;
  }
  const xml = answer.body.toString('utf8');
  const versions = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map(
    ([, fields]) =>
      `<Version>${fields!.replace('</Key>', '</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>')}</Version>`,
  );
  const commonPrefixes = xml.match(/<CommonPrefixes>[\s\S]*?<\/CommonPrefixes>/g) ?? [];
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const lastKey = [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].pop()?.[1];
  const next =
    truncated && lastKey !== undefined
      ? `<NextKeyMarker>${lastKey}</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>`
      : '';
  res
    .writeHead(200, { 'content-type': 'application/xml' })
    .end(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker><VersionIdMarker>${escapeXml(query.get('version-id-marker') ?? '')}</VersionIdMarker>` +
        `<MaxKeys>${escapeXml(maxKeys)}</MaxKeys>${delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : ''}` +
        `<IsTruncated>${truncated}</IsTruncated>${next}${versions.join('')}${commonPrefixes.join('')}</ListVersionsResult>`,
    );
}
