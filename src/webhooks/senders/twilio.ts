import { createHash, createHmac } from 'node:crypto';
import { signedFormParameters } from '../schemes/twilio';
import type { SchemeSender, SignedRequest } from './sender';

/** HMAC-SHA1 of `data` under the Auth Token, in base64: what `X-Twilio-Signature` carries. */
function twilioSignature(authToken: string, data: string): string {
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * A Twilio form post (`application/x-www-form-urlencoded`): the URL (with `?query` when there is one)
 * followed by the form's parameters, name + value in name order.
 */
export function signTwilioForm(
  authToken: string,
  url: string,
  body: string | Buffer,
): Record<string, string> {
  const parameters = signedFormParameters({ headers: {}, rawBody: body });
  if (parameters === undefined) throw new Error('The form has too many parameters to be a Twilio callback');
  return { 'x-twilio-signature': twilioSignature(authToken, url + parameters) };
}

/**
 * A Twilio JSON post: `bodySHA256=<hex SHA-256 of the body>` appended to the query, and the URL alone
 * signed. Returns the headers and the query string to send (without `?`).
 */
export function signTwilioJson(
  authToken: string,
  publicUrl: string,
  body: string | Buffer,
  query = '',
): SignedRequest {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const signedQuery = `${query === '' ? '' : `${query}&`}bodySHA256=${bodyHash}`;
  return {
    headers: { 'x-twilio-signature': twilioSignature(authToken, `${publicUrl}?${signedQuery}`) },
    query: signedQuery,
  };
}

/** A body that opens like JSON (`{` or `[`) is sent as Twilio sends JSON; anything else as a form. */
function isJsonBody(body: Buffer): boolean {
  const first = body.toString('utf8').trimStart().charAt(0);
  return first === '{' || first === '[';
}

export const twilioSender: SchemeSender = {
  defaultEvent: 'message.delivered',
  idPrefix: '',
  contentType: 'application/x-www-form-urlencoded',
  signsTimestamp: false,
  /**
   * A status callback: `message.<status>` as an SMS status callback, `call.<status>` as a voice one,
   * any other type as `EventType`. Its Sid is derived from `id`, so distinct deliveries differ.
   */
  sampleBody: (event, id) => {
    const sid = createHash('sha1').update(id).digest('hex').slice(0, 32);
    const account = { AccountSid: 'AC00000000000000000000000000000000', ApiVersion: '2010-04-01' };
    const parties = { From: '+15005550006', To: '+15005550001' };
    const dot = event.indexOf('.');
    const [kind, status] = dot < 0 ? ['', event] : [event.slice(0, dot), event.slice(dot + 1)];
    const fields: Record<string, string> =
      kind === 'message'
        ? {
            ...account,
            MessageSid: `SM${sid}`,
            SmsSid: `SM${sid}`,
            MessageStatus: status,
            SmsStatus: status,
            ...parties,
          }
        : kind === 'call'
          ? { ...account, CallSid: `CA${sid}`, CallStatus: status, Direction: 'outbound-api', ...parties }
          : { ...account, Sid: `EV${sid}`, EventType: event };
    return Buffer.from(new URLSearchParams(fields).toString());
  },
  sign: ({ secret, body, id, publicUrl }) => {
    if (publicUrl === undefined)
      throw new Error('A twilio source has a public URL (WEBHOOK_PUBLIC_URL_<SOURCE>)');
    const idempotency = { 'i-twilio-idempotency-token': id };
    if (isJsonBody(body)) {
      const signed = signTwilioJson(secret, publicUrl, body);
      return { ...signed, headers: { ...signed.headers, ...idempotency } };
    }
    return { headers: { ...signTwilioForm(secret, publicUrl, body), ...idempotency } };
  },
};
