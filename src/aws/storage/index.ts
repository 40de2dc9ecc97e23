/**
 * The storage library: the `ObjectStorage` port, its S3 and filesystem adapters, bucket management and
 * a credentials check. Handlers depend on `ObjectStorage`; wiring picks the adapter.
 */
export * from './object-storage';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-object-storage';
export { FilesystemObjectStorage, type FilesystemObjectStorageOptions } from './filesystem-object-storage';
export {
  S3BucketAdmin,
  type BucketSettings,
  type BucketSummary,
  type EnsureBucketReport,
  type S3BucketAdminOptions,
  type SettingOutcome,
} from './s3-buckets';
export {
  checkCredentials,
  type CredentialsCheckOptions,
  type CredentialsIdentity,
} from './credentials-check';
export type { CdnOptions } from './cdn-url';
