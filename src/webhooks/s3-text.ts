import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { toIntegrationError } from '../aws/error-mapping';

/** The two object operations the webhook functions need: write a text object, read one back. */
export interface TextObjectStore {
  put(key: string, text: string, contentType: string): Promise<void>;
  /** Rejects with NotFoundError (via the mapping) when the object does not exist. */
  get(key: string): Promise<string>;
}

/**
 * A TextObjectStore on one bucket with single PutObject/GetObject calls. The webhook functions use this
 * rather than the storage library's S3ObjectStorage, which would bring multipart upload, the presigners and
 * the CDN signer into their bundles and cold starts for two plain calls.
 */
export function s3TextStore(client: S3Client, bucket: string): TextObjectStore {
  return {
    async put(key, text, contentType) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }),
        );
      } catch (error) {
        throw toIntegrationError(error, { service: 'S3', operation: 'PutObject', resource: key });
      }
    },
    async get(key) {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await response.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        throw toIntegrationError(error, { service: 'S3', operation: 'GetObject', resource: key });
      }
    },
  };
}
