/**
 * The storage library, one port per use: `ObjectStorage` (object operations; S3 and filesystem adapters),
 * `UploadForms` (presigned POST forms) and `DownloadUrls` (CDN or presigned GET URLs), each with its S3
 * adapter. Handlers depend on the port they use; wiring picks the adapter.
 */
export * from './object-storage';
export * from './upload-forms';
export * from './download-urls';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-object-storage';
export { S3UploadForms, type S3UploadFormsOptions } from './s3-upload-forms';
export { S3DownloadUrls, type S3DownloadUrlsOptions } from './s3-download-urls';
export { FilesystemObjectStorage, type FilesystemObjectStorageOptions } from './filesystem-object-storage';
export type { CdnOptions } from './cdn-url';
