import type { IncomingMessage, ServerResponse } from 'node:http';
import { emulatorRequest } from './emulator-request';
import { objectPutPath } from './object-tagging';
import { S3PostError, s3ErrorXml } from './s3-post-error';

/**
 * AWS's create-only PUT (`If-None-Match: *`, PutObject) in front of s3rver, which ignores the header and
 * would silently replace the object: a PUT of an object with that header is answered
 * `412 PreconditionFailed` (S3's XML) when the key exists, and proxied otherwise. Checks and writes of one
 * key are serialised, so two create-only PUTs racing for a key leave exactly one winner, as in AWS.
 */
export class ConditionalPutGuard {
  private readonly locks = new Map<string, Promise<void>>();

  constructor(
    private readonly target: URL,
    private readonly forward: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  ) {}

  /** True for a create-only PutObject: `PUT /<bucket>/<key>` (no query, no copy) with `If-None-Match: *`. */
  static applies(req: IncomingMessage): boolean {
    if (req.headers['if-none-match']?.trim() !== '*') return false;
    return req.headers['x-amz-copy-source'] === undefined && objectPutPath(req) !== undefined;
  }

  /** Answers one create-only PUT: 412 when the key exists, else the emulator's own answer. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = objectPutPath(req)!;
    const previous = this.locks.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const queued = previous.then(() => mine);
    this.locks.set(path, queued);
    await previous;
    try {
      if (await this.exists(path)) {
        req.resume();
        const error = new S3PostError(
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          {
            Condition: 'If-None-Match',
          },
        );
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(s3ErrorXml(error));
        return;
      }
      await this.forward(req, res);
    } finally {
      release();
      if (this.locks.get(path) === queued) this.locks.delete(path);
    }
  }

  private async exists(path: string): Promise<boolean> {
    return (await emulatorRequest(this.target, 'HEAD', path)).status === 200;
  }
}
