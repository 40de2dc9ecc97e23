import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import { NodeSha256 } from './node-sha256';
import type { PostCredentials } from './post-signature';
import { S3PostError } from './s3-post-error';

/** What S3 needs to know to authenticate a request: the account's access keys, its region and a clock. */
export interface SigV4Context {
  /** Every access key of the local account (the first is the one the state file names). */
  accessKeys: readonly PostCredentials[];
  region: string;
  now: () => Date;
}

/** AWS allows 15 minutes between a header-signed request's x-amz-date and its own clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL lives at most 7 days (X-Amz-Expires ≤ 604800). */
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 60 * 60;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The query parameters of a presigned URL that the signer itself writes (all but the signature). */
const AUTHENTICATION_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
] as const;

/**
 * Authenticates one S3 request as AWS does for a private bucket: resolves when it carries a valid
 * SigV4 signature by a known access key, either in the `Authorization` header (x-amz-date within 15
 * minutes of now) or as a presigned URL (`X-Amz-Signature` query, not expired). The signature is
 * recomputed with `@smithy/signature-v4` over the request as received: method, raw path, query,
 * the headers it says it signed and its `x-amz-content-sha256` (a hex digest, `UNSIGNED-PAYLOAD` or a
 * `STREAMING-*` mode, taken literally as S3 does for the seed signature). Throws S3PostError with S3's
 * status and code: 403 AccessDenied (anonymous, expired), 403 InvalidAccessKeyId, 403
 * SignatureDoesNotMatch, 403 RequestTimeTooSkewed, 400 for malformed or SigV2 authentication.
 */
export async function verifySigV4Request(req: IncomingMessage, context: SigV4Context): Promise<void> {
  const url = splitUrl(req.url ?? '/');
  const authorization = header(req, 'authorization');
  const presigned = url.query['X-Amz-Algorithm'] !== undefined || url.query['X-Amz-Signature'] !== undefined;
  if (
    url.query.Signature !== undefined ||
    url.query.AWSAccessKeyId !== undefined ||
    /^AWS /.test(authorization ?? '')
  )
    throw sigV2NotSupported();
  if (authorization !== undefined && presigned) {
    throw new S3PostError(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization' },
    );
  }
  if (presigned) return verifyPresignedUrl(req, url, context);
  if (authorization !== undefined) return verifyAuthorizationHeader(req, url, authorization, context);
  throw new S3PostError(403, 'AccessDenied', 'Access Denied');
}

interface ReceivedUrl {
  path: string;
  query: Record<string, string | string[]>;
}

/** The raw path (already URI-encoded by the client, as S3 signs it) and the decoded query. */
function splitUrl(rawUrl: string): ReceivedUrl {
  const mark = rawUrl.indexOf('?');
  const path = mark === -1 ? rawUrl : rawUrl.slice(0, mark);
  const query: Record<string, string | string[]> = {};
  if (mark !== -1) {
    for (const pair of rawUrl.slice(mark + 1).split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
      const previous = query[name];
      query[name] = previous === undefined ? value : [...[previous].flat(), value];
    }
  }
  return { path, query };
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3PostError(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

async function verifyAuthorizationHeader(
  req: IncomingMessage,
  url: ReceivedUrl,
  authorization: string,
  context: SigV4Context,
): Promise<void> {
  const parsed =
    /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/.exec(
      authorization.trim(),
    );
  if (!parsed) {
    throw new S3PostError(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  const [, credential, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
  const scope = parseCredential(
    credential,
    context,
    (message) => new S3PostError(400, 'AuthorizationHeaderMalformed', message),
  );
  const payloadHash = header(req, 'x-amz-content-sha256');
  if (payloadHash === undefined)
    throw new S3PostError(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  const amzDate = header(req, 'x-amz-date');
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (!signingDate) {
    throw new S3PostError(
      403,
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  if (scope.date !== amzDate!.slice(0, 8))
    throw new S3PostError(
      400,
      'AuthorizationHeaderMalformed',
      'Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  const now = context.now();
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3PostError(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      {
        RequestTime: amzDate!,
        ServerTime: now.toISOString(),
        MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
      },
    );
  }
  const signedNames = signedHeaderNames(signedHeaderList);
  const request = requestAsReceived(req, url, url.query, signedNames);
  request.headers['x-amz-content-sha256'] = payloadHash;
  const signed = await scope.signer.sign(request, {
    signingDate,
    signingRegion: scope.region,
    signingService: 's3',
    signableHeaders: new Set(signedNames),
    unsignableHeaders: new Set(signedNames.includes('x-amz-content-sha256') ? [] : ['x-amz-content-sha256']),
  });
  // The signer writes credential and signed-header list itself: both must be what was received.
  const recomputed =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      signed.headers.authorization ?? '',
    );
  if (
    !recomputed ||
    recomputed[1] !== credential ||
    recomputed[2] !== signedHeaderList ||
    !sameSignature(signature, recomputed[3]!)
  )
    throw signatureDoesNotMatch();
}

async function verifyPresignedUrl(
  req: IncomingMessage,
  url: ReceivedUrl,
  context: SigV4Context,
): Promise<void> {
  const single = (name: string) => {
    const value = url.query[name];
    return typeof value === 'string' ? value : undefined;
  };
  const malformed = (message: string) => new S3PostError(400, 'AuthorizationQueryParametersError', message);
  const algorithm = single('X-Amz-Algorithm');
  const credential = single('X-Amz-Credential');
  const amzDate = single('X-Amz-Date');
  const expires = single('X-Amz-Expires');
  const signedHeaderList = single('X-Amz-SignedHeaders');
  const signature = single('X-Amz-Signature');
  if (algorithm !== ALGORITHM || !credential || !amzDate || !expires || !signedHeaderList || !signature) {
    throw malformed(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const scope = parseCredential(credential, context, malformed);
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) throw malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  if (scope.date !== amzDate.slice(0, 8))
    throw malformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  if (!/^\d+$/.test(expires)) throw malformed('X-Amz-Expires should be a number');
  const expiresIn = Number(expires);
  if (expiresIn > MAX_PRESIGNED_EXPIRES_S)
    throw malformed('X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds');
  const now = context.now();
  if (signingDate.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS)
    throw new S3PostError(403, 'AccessDenied', 'Request is not valid yet');
  const expiresAt = new Date(signingDate.getTime() + expiresIn * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw new S3PostError(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: expiresAt.toISOString(),
      ServerTime: now.toISOString(),
    });
  }
  const signedNames = signedHeaderNames(signedHeaderList);
  const query = { ...url.query };
  delete query['X-Amz-Signature'];
  const request = requestAsReceived(req, url, query, signedNames);
  // S3 presigned URLs never sign the payload; the header only tells the signer so and is not itself signed.
  request.headers['x-amz-content-sha256'] = UNSIGNED_PAYLOAD;
  const presigned = await scope.signer.presign(request, {
    signingDate,
    expiresIn,
    signingRegion: scope.region,
    signingService: 's3',
    signableHeaders: new Set(signedNames),
    unsignableHeaders: new Set(['x-amz-content-sha256']),
    unhoistableHeaders: new Set([...signedNames, 'x-amz-content-sha256']),
  });
  // The signer writes the authentication parameters itself: had it written any differently from what
  // was received, its signature would not be over the request as received.
  const recomputed = presigned.query ?? {};
  const rewritten = AUTHENTICATION_PARAMETERS.some((name) => recomputed[name] !== url.query[name]);
  const expected = recomputed['X-Amz-Signature'];
  if (rewritten || typeof expected !== 'string' || !sameSignature(signature, expected))
    throw signatureDoesNotMatch();
}

interface CredentialScope {
  signer: SignatureV4;
  /** The scope's yyyymmdd, which must be the day of x-amz-date. */
  date: string;
  region: string;
}

/** `<key>/<yyyymmdd>/<region>/s3/aws4_request` of a known key for this region: its signer. */
function parseCredential(
  credential: string,
  context: SigV4Context,
  malformed: (message: string) => S3PostError,
): CredentialScope {
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (
    !accessKeyId ||
    !date ||
    !/^\d{8}$/.test(date) ||
    !region ||
    service !== 's3' ||
    terminator !== 'aws4_request' ||
    rest.length > 0
  )
    throw malformed(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  const key = context.accessKeys.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!key) {
    throw new S3PostError(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }
  if (region !== context.region)
    throw malformed(
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${context.region}'`,
    );
  return {
    signer: new SignatureV4({
      credentials: key,
      region,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    }),
    date,
    region,
  };
}

/**
 * The request as the signer needs it: method, host, the raw path, the query, and only the headers the
 * client says it signed (so nothing added on the way in changes the canonical request).
 */
function requestAsReceived(
  req: IncomingMessage,
  url: ReceivedUrl,
  query: QueryParameterBag,
  signedNames: readonly string[],
): HttpRequest {
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return {
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: header(req, 'host') ?? '',
    path: url.path,
    query,
    headers,
  };
}

/** The SignedHeaders list: lower-case names separated by `;`; it must include `host`, as S3 requires. */
function signedHeaderNames(list: string): string[] {
  const names = list.split(';');
  if (!names.includes('host') || names.some((name) => name === '' || name !== name.toLowerCase()))
    throw signatureDoesNotMatch();
  return names;
}

function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const signatureDoesNotMatch = () =>
  new S3PostError(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );

const sigV2NotSupported = () =>
  new S3PostError(
    400,
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  );
