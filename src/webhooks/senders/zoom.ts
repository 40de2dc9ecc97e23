import { createHmac } from 'node:crypto';
import type { HandshakeRequest, SchemeSender } from './sender';
import { signV0 } from './v0-signature';

/** Zoom: `x-zm-signature: v0=<hex>` and `x-zm-request-timestamp`. */
export function signZoom(
  secret: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  return {
    'x-zm-signature': signV0(secret, body, timestampSeconds),
    'x-zm-request-timestamp': String(timestampSeconds),
  };
}

/** What Zoom expects back for `plainToken`: the token and its hex HMAC-SHA256 under the Secret Token. */
export function zoomValidationAnswer(secret: string, plainToken: string) {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}

function checkValidationAnswer(secret: string, plainToken: string, statusCode: number, body: string) {
  if (statusCode !== 200) return `Zoom wants 200, got ${statusCode}`;
  const expected = zoomValidationAnswer(secret, plainToken);
  try {
    const answer = JSON.parse(body) as Record<string, unknown> | null;
    if (answer?.plainToken === expected.plainToken && answer.encryptedToken === expected.encryptedToken)
      return undefined;
  } catch {
    // Not JSON: wrong, as below.
  }
  return 'The answer is not {"plainToken", "encryptedToken"} for this token and secret';
}

export const zoomSender: SchemeSender = {
  defaultEvent: 'meeting.started',
  idPrefix: '',
  contentType: 'application/json; charset=utf-8',
  signsTimestamp: true,
  // Zoom sends no delivery id: `id` names the meeting, so distinct deliveries have distinct bodies.
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({
        event,
        payload: {
          account_id: 'AAAAAAAAAAAAAAAAAAAAAA',
          object: {
            duration: 30,
            start_time: new Date(nowSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            timezone: 'UTC',
            topic: 'intake quickstart',
            id: '85746065432',
            type: 2,
            uuid: id,
            host_id: 'HHHHHHHHHHHHHHHHHHHHHH',
          },
        },
        event_ts: nowSeconds * 1000,
      }),
    ),
  sign: ({ secret, body, nowSeconds }) => ({ headers: signZoom(secret, body, nowSeconds) }),
  handshake: ({ secret, challenge, nowSeconds }): HandshakeRequest => {
    const body = Buffer.from(
      JSON.stringify({
        event: 'endpoint.url_validation',
        payload: { plainToken: challenge },
        event_ts: nowSeconds * 1000,
      }),
    );
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...signZoom(secret, body, nowSeconds) },
      body,
      check: (statusCode, answer) => checkValidationAnswer(secret, challenge, statusCode, answer),
    };
  },
};
