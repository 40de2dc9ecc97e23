import type { IncomingMessage } from 'node:http';
import { emulatorRequest } from './emulator-request';
import { S3PostError } from './s3-post-error';

/**
 * AWS's conditional read (`If-Match` on GetObject and HeadObject) in front of s3rver 3.7.1, which ignores
 * the header and would serve whatever the key now holds: the object's current ETag is looked up first, and
 * a read whose `If-Match` names none of it (nor `*`) fails with 412 PreconditionFailed. An absent object
 * is left to the emulator's own 404, as S3 answers it; a bucket has no ETag to compare.
 */
export async function assertIfMatchHolds(req: IncomingMessage, target: URL): Promise<void> {
  const ifMatch = req.headers['if-match'];
  if (ifMatch === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return;
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const head = await emulatorRequest(target, 'HEAD', path);
  const etag = head.headers.etag;
  if (head.status !== 200 || etag === undefined) return;
  const wanted = ifMatch.split(',').map((tag) => tag.trim());
  if (wanted.includes('*') || wanted.map(unquote).includes(unquote(etag))) return;
  throw new S3PostError(
    412,
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: 'If-Match',
    },
  );
}

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');
