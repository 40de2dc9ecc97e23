import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { S3PostError } from './s3-post-error';

/**
 * AWS's conditional read (`If-Match` on GetObject and HeadObject) in front of s3rver 3.7.1, which ignores
 * the header and would serve whatever the key now holds: the ETag of the emulator's own answer is compared
 * before a byte of it is passed on, and a read whose `If-Match` names none of it (nor `*`) fails with 412
 * PreconditionFailed. Comparing the answer itself (rather than a HEAD made first) costs the emulator no
 * second request and leaves no moment between the check and the read in which the object could change.
 * A failed read (404, 403…) is passed on as it is, as S3 answers it; only a successful one has an ETag to
 * compare. Returns the error to answer with, or undefined when the answer may be passed on.
 */
export function ifMatchFailure(
  req: IncomingMessage,
  answer: { statusCode?: number | undefined; headers: IncomingHttpHeaders },
): S3PostError | undefined {
  const ifMatch = req.headers['if-match'];
  if (ifMatch === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
  const status = answer.statusCode ?? 0;
  const etag = answer.headers.etag;
  if (status < 200 || status >= 300 || etag === undefined) return undefined;
  const wanted = ifMatch.split(',').map((tag) => tag.trim());
  if (wanted.includes('*') || wanted.map(unquote).includes(unquote(etag))) return undefined;
  return new S3PostError(
    412,
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: 'If-Match',
    },
  );
}

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');
