import type { HandshakeRequest, SchemeSender } from './sender';
import { signV0 } from './v0-signature';

/** Slack: `x-slack-signature: v0=<hex>` and `x-slack-request-timestamp`. */
export function signSlack(
  secret: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  return {
    'x-slack-signature': signV0(secret, body, timestampSeconds),
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}

/** Slack takes the challenge back as text, as a `challenge=` form, or as JSON `{"challenge"}`. */
function returnsChallenge(challenge: string, body: string): boolean {
  if (body === challenge || body === `challenge=${encodeURIComponent(challenge)}`) return true;
  try {
    return (JSON.parse(body) as { challenge?: unknown } | null)?.challenge === challenge;
  } catch {
    return false;
  }
}

export const slackSender: SchemeSender = {
  defaultEvent: 'app_mention',
  idPrefix: 'Ev',
  contentType: 'application/json',
  signsTimestamp: true,
  // An Events API envelope: the delivery id is the signed body's `event_id`.
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({
        token: 'XXYYZZ',
        team_id: 'T0INTAKE1',
        api_app_id: 'A0INTAKE1',
        event: {
          type: event,
          user: 'U0INTAKE1',
          text: '<@U0INTAKEBOT> hello intake',
          ts: `${nowSeconds}.000100`,
          channel: 'C0INTAKE1',
          event_ts: `${nowSeconds}.000100`,
        },
        type: 'event_callback',
        event_id: id,
        event_time: nowSeconds,
      }),
    ),
  sign: ({ secret, body, nowSeconds }) => ({ headers: signSlack(secret, body, nowSeconds) }),
  handshake: ({ secret, challenge, nowSeconds }): HandshakeRequest => {
    const body = Buffer.from(JSON.stringify({ token: 'XXYYZZ', challenge, type: 'url_verification' }));
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlack(secret, body, nowSeconds) },
      body,
      check: (statusCode, answer) =>
        statusCode !== 200
          ? `Slack wants 200, got ${statusCode}`
          : returnsChallenge(challenge, answer)
            ? undefined
            : 'The answer does not carry the challenge',
    };
  },
};
