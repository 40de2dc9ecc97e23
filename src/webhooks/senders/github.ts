import { createHash } from 'node:crypto';
import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/** GitHub: `x-hub-signature-256: sha256=<hex>`. */
export function signGithub(secret: string, body: string | Buffer): Record<string, string> {
  return { 'x-hub-signature-256': `sha256=${hmacSha256(Buffer.from(secret), '', body).toString('hex')}` };
}

export const githubSender: SchemeSender = {
  defaultEvent: 'push',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (_event, id) =>
    Buffer.from(
      JSON.stringify({
        ref: 'refs/heads/main',
        // A push names its commit: distinct deliveries have distinct bodies (intake deduplicates by body).
        after: createHash('sha1').update(id).digest('hex'),
        repository: { full_name: 'octo/intake' },
        sender: { login: 'quickstart' },
      }),
    ),
  sign: ({ secret, body, id, event }) => ({
    headers: { 'x-github-event': event, 'x-github-delivery': id, ...signGithub(secret, body) },
  }),
};
