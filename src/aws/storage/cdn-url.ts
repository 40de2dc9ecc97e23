import { getSignedUrl } from '@aws-sdk/cloudfront-signer';

/** A CloudFront distribution in front of the bucket; signed URLs when a key pair id and private key are set. */
export interface CdnOptions {
  /** e.g. `https://d111111abcdef8.cloudfront.net` or `https://cdn.example.com/documents`. */
  baseUrl: string;
  keyPairId?: string;
  /** PEM private key of the key pair (never logged). */
  privateKey?: string;
}

/** The CDN URL of `key`: each path segment percent-encoded and appended to the base URL's path. */
export function cdnObjectUrl(baseUrl: string, key: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return `${base}${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The URL a client fetches `key` from through the CDN: signed with a canned policy expiring after
 * `expiresIn` seconds when the CDN has signing keys, plain otherwise (a public distribution).
 */
export function cdnUrlFor(cdn: CdnOptions, key: string, expiresIn: number, now: number = Date.now()): string {
  const url = cdnObjectUrl(cdn.baseUrl, key);
  if (!cdn.keyPairId || !cdn.privateKey) return url;
  return getSignedUrl({
    url,
    keyPairId: cdn.keyPairId,
    privateKey: cdn.privateKey,
    dateLessThan: new Date(now + expiresIn * 1000),
  });
}
