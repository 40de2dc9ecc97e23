import { signGithub } from '../../src/webhooks/senders';

/**
 * POSTs a GitHub delivery (`push` unless `event` says otherwise) with `X-GitHub-Delivery: <id>`, signed
 * with `secret`, to the receiver at `httpUrl`. GitHub signs only the body: intake deduplicates by it
 * (the delivery id it answers is the body's content id, see src/webhooks/delivery.ts).
 */
export function postGithubPush(
  httpUrl: string,
  secret: string,
  id: string,
  body: string,
  event = 'push',
): Promise<Response> {
  return fetch(`${httpUrl}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': id,
      ...signGithub(secret, body),
    },
    body,
  });
}
