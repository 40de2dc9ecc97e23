import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3PostError } from './s3-post-error';

/**
 * Passes a request body through while hashing it, as S3 checks a body against the hex SHA-256 its
 * signature declared (`x-amz-content-sha256`). The last chunk is held back until the whole body is hashed:
 * on a mismatch the stream fails with 400 XAmzContentSHA256Mismatch before the body is complete, so the
 * emulator behind never receives a whole object and stores nothing. Other payload modes
 * (`UNSIGNED-PAYLOAD`, `STREAMING-*`) declare no digest: `declaresDigest` says whether to check.
 */
export class PayloadHashCheck extends Transform {
  private readonly hash = createHash('sha256');
  private heldBack: Buffer | undefined;

  constructor(private readonly declared: string) {
    super();
  }

  /** True when `x-amz-content-sha256` is a hex SHA-256 digest (so the body must match it). */
  static declaresDigest(value: string | string[] | undefined): value is string {
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.heldBack;
    this.heldBack = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    const computed = this.hash.digest('hex');
    if (computed !== this.declared) {
      callback(
        new S3PostError(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: this.declared, S3ComputedContentSHA256: computed },
        ),
      );
      return;
    }
    callback(null, this.heldBack);
  }
}
