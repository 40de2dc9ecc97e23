import { findMatchingToken } from '../signature/token';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { headerId, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

/**
 * GitLab: the webhook's secret token, sent as it is in `X-Gitlab-Token`, compared with every configured
 * token as SHA-256 digests (neither content nor length leaks; any may match, for rotation). A token is
 * weaker than a signature: it authenticates the sender but not the body, and anyone who sees one request
 * can replay it or send their own — so the URL must be HTTPS only and the token rotated if it may have
 * been seen (docs/webhooks.md). A missing or empty header is `missing`; there is nothing to be malformed.
 */
export function verifyGitlabToken({ request, keys }: VerificationInput): SignatureCheck {
  const token = request.headers['x-gitlab-token'];
  if (token === undefined || token === '') return rejected('missing', 'The X-Gitlab-Token header is missing');
  const secretIndex = findMatchingToken(keys, token);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The X-Gitlab-Token does not match');
}

/**
 * `X-Gitlab-Event` (`Merge Request Hook`) as an event type intake can route: lower case, words joined by
 * `_` (`merge_request_hook`); the space in GitLab's names is outside the event-type alphabet.
 */
export function gitlabEventType(header: string | undefined): string | undefined {
  return header?.trim().toLowerCase().replaceAll(' ', '_');
}

/**
 * The token authenticates the whole request, so its headers are as trusted as its body: `Idempotency-Key`
 * (GitLab ≥ 17.4: one per event and webhook, the same on every retry) deduplicates as it is. Without it
 * the delivery is deduplicated by content, not by `X-Gitlab-Event-UUID`: that is the id of the request
 * that triggered the hooks, shared by every event one request fires (a bulk edit, a hook calling the
 * API), so deduplicating by it would drop distinct events. `X-Gitlab-Webhook-UUID` (one per request) is
 * kept for tracing.
 */
export const gitlab: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyGitlabToken,
  body: 'json-object',
  identify: ({ headers }) => ({
    signedId: headerId(headers, 'idempotency-key'),
    providerId: headerId(headers, 'x-gitlab-webhook-uuid'),
    eventType: gitlabEventType(headers['x-gitlab-event']),
  }),
  keptHeaders: [
    'x-gitlab-event',
    'x-gitlab-webhook-uuid',
    'x-gitlab-event-uuid',
    'idempotency-key',
    'x-gitlab-instance',
  ],
};
