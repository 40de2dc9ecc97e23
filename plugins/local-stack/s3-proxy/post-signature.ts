import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3PostError } from './s3-post-error';

export interface PostCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Verifies a SigV4 POST signature: `x-amz-signature` must be hex(HMAC(signing key, policy base64)) with the
 * key derived from the secret of the access key named in `x-amz-credential` (one of `accessKeys`) for its
 * date and region.
 * Fields are lower-cased. Throws 403 InvalidAccessKeyId / SignatureDoesNotMatch, 400 InvalidArgument for a
 * missing or malformed field; compares in constant time.
 */
export function verifyPostSignature(
  fields: ReadonlyMap<string, string>,
  accessKeys: readonly PostCredentials[],
): void {
  const algorithm = fields.get('x-amz-algorithm');
  const credential = fields.get('x-amz-credential');
  const signature = fields.get('x-amz-signature');
  const policy = fields.get('policy')!;
  if (algorithm !== 'AWS4-HMAC-SHA256' || !credential || !signature || !fields.get('x-amz-date')) {
    throw new S3PostError(
      400,
      'InvalidArgument',
      'Bucket POST must contain x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential, x-amz-date and x-amz-signature',
    );
  }
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (!date || !region || service !== 's3' || terminator !== 'aws4_request')
    throw new S3PostError(400, 'InvalidArgument', `Invalid credential: ${credential}`);
  const credentials = accessKeys.find((key) => key.accessKeyId === accessKeyId);
  if (!credentials) {
    throw new S3PostError(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), 's3'),
    'aws4_request',
  );
  const expected = Buffer.from(hmac(signingKey, policy).toString('hex'));
  const given = Buffer.from(signature.toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3PostError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}
