import { createHash } from 'node:crypto';
import { signGithub } from './github';
import type { HandshakeRequest, SchemeSender } from './sender';

/** Meta signs as GitHub does: `x-hub-signature-256: sha256=<hex HMAC-SHA256 of the body>` (App Secret). */
export const signMeta = signGithub;

export const metaSender: SchemeSender = {
  defaultEvent: 'whatsapp_business_account',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  // The event is the body's `object`; Meta sends no delivery id, so `id` only makes the message unique.
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({
        object: event,
        entry: [
          {
            id: '102290129340398',
            time: nowSeconds,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  messages: [
                    {
                      id: `wamid.${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`,
                      from: '16315551181',
                      timestamp: String(nowSeconds),
                      type: 'text',
                      text: { body: 'hello intake' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      }),
    ),
  sign: ({ secret, body }) => ({ headers: signMeta(secret, body) }),
  handshake: ({ verifyToken, challenge }): HandshakeRequest => {
    if (verifyToken === undefined)
      throw new Error('A Meta handshake needs the source verify token (WEBHOOK_VERIFY_TOKEN_<SOURCE>)');
    const query = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.challenge': challenge,
      'hub.verify_token': verifyToken,
    }).toString();
    return {
      method: 'GET',
      headers: {},
      query,
      check: (statusCode, body) =>
        statusCode !== 200
          ? `expected 200, got ${statusCode}`
          : body !== challenge
            ? 'the answer is not the challenge exactly'
            : undefined,
    };
  },
};
