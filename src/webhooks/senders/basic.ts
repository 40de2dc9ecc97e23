import type { SchemeSender } from './sender';

/** HTTP Basic: `Authorization: Basic <base64 of user:password>`, the secret being `user:password`. */
export function signBasic(secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(secret, 'utf8').toString('base64')}` };
}

export const basicSender: SchemeSender = {
  defaultEvent: 'order.created',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({ id, type: event, created_at: new Date(nowSeconds * 1000).toISOString(), data: {} }),
    ),
  // The credential is the same on every request: nothing of the delivery is signed.
  sign: ({ secret }) => ({ headers: signBasic(secret) }),
};
