import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { getS3Client } from '../clients';
import { InvalidRequestError } from '../../errors';
import { assertValidKey, boundedExpiresIn, type ArgumentContext } from './arguments';
import { cdnUrlFor, type CdnOptions } from './cdn-url';
import { DEFAULT_URL_EXPIRES_IN, type DownloadUrls, type UrlOptions } from './download-urls';
import { presignClientFor, presigning } from './s3-presigner';

export interface S3DownloadUrlsOptions {
  bucket: string;
  /** Defaults to the process-wide client of src/aws/clients.ts (a WHEN_REQUIRED sibling signs, see s3-presigner). */
  client?: S3Client;
  /** A CloudFront distribution in front of the bucket: URLs then point at it instead of S3. */
  cdn?: CdnOptions;
}

/** The S3 adapter of the download-URLs port: CDN URLs (signed when keys are set), else presigned GETs. */
export class S3DownloadUrls implements DownloadUrls {
  readonly bucket: string;
  private signer: Promise<S3Client> | undefined;

  constructor(private readonly options: S3DownloadUrlsOptions) {
    this.bucket = options.bucket;
  }

  async urlFor(key: string, options: UrlOptions = {}): Promise<string> {
    const cdn = this.options.cdn;
    const ctx: ArgumentContext = cdn
      ? { service: 'cloudfront', operation: 'SignUrl', resource: key }
      : { service: 's3', operation: 'PresignGetObject', resource: key };
    return presigning(ctx, options.signal, async () => {
      assertValidKey(key, ctx);
      const expiresIn = boundedExpiresIn(options.expiresIn, DEFAULT_URL_EXPIRES_IN, ctx);
      if (!cdn) {
        const command = new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ResponseContentDisposition: options.responseContentDisposition,
          ResponseContentType: options.responseContentType,
        });
        return getSignedUrl(await this.signingClient(), command, { expiresIn });
      }
      try {
        return cdnUrlFor(cdn, key, expiresIn);
      } catch (error) {
        // A malformed private key: a configuration problem, not a request to retry.
        throw new InvalidRequestError('The CDN signing key could not sign the URL', { ...ctx, cause: error });
      }
    });
  }

  private signingClient(): Promise<S3Client> {
    return (this.signer ??= presignClientFor(this.options.client ?? getS3Client()));
  }
}
