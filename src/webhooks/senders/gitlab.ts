import { createHash } from 'node:crypto';
import type { SchemeSender } from './sender';

/** GitLab: the webhook's secret token, as it is, in `x-gitlab-token` (nothing is signed). */
export function signGitlab(token: string): Record<string, string> {
  return { 'x-gitlab-token': token };
}

export const gitlabSender: SchemeSender = {
  defaultEvent: 'Push Hook',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (_event, id) =>
    Buffer.from(
      JSON.stringify({
        object_kind: 'push',
        event_name: 'push',
        ref: 'refs/heads/main',
        // A push names its commit: distinct deliveries have distinct bodies.
        checkout_sha: createHash('sha1').update(id).digest('hex'),
        project: { id: 15, path_with_namespace: 'octo/intake' },
        user_username: 'quickstart',
      }),
    ),
  // `Idempotency-Key` is GitLab's id of one event for one webhook, the same on every retry.
  sign: ({ secret, id, event }) => ({
    headers: {
      'x-gitlab-event': event,
      'idempotency-key': id,
      'x-gitlab-webhook-uuid': id,
      'x-gitlab-event-uuid': id,
      'x-gitlab-instance': 'https://gitlab.example.com',
      ...signGitlab(secret),
    },
  }),
};
