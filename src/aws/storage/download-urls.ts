import type { CallOptions } from './object-storage';

/**
 * The download-URLs port: a URL that lets a client with no credentials of its own read one object until
 * it expires (S3: through the CDN when one is configured, else a presigned GET). `S3DownloadUrls` serves it.
 */
export interface DownloadUrls {
  /** The CDN URL of the object when a CDN is configured (signed when keys are), else a presigned GET. */
  urlFor(key: string, options?: UrlOptions): Promise<string>;
}

export interface UrlOptions extends CallOptions {
  /** Seconds (default 3600): for a signed CDN URL or the presigned GET. */
  expiresIn?: number;
  /**
   * Response headers the presigned GET makes S3 send (`response-content-disposition`,
   * `response-content-type`). A CDN URL cannot carry them: the object's stored headers apply there.
   */
  responseContentDisposition?: string;
  responseContentType?: string;
}

export const DEFAULT_URL_EXPIRES_IN = 3600;
