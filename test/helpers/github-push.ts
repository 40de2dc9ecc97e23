import { signGithub } from '../../src/webhooks/signature/sign';

/** POSTs a GitHub `push` delivery with id `id`, signed with `secret`, to the receiver at `httpUrl`. */
export function postGithubPush(httpUrl: string, secret: string, id: string, body: string): Promise<Response> {
  return fetch(`${httpUrl}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': id,
      ...signGithub(secret, body),
    },
    body,
  });
}
