import { BadRequestError, ForbiddenError } from '../../errors';
import { findMatchingToken } from '../signature/token';
import { stringField, utf8Key } from './fields';
import { verifyGithubSignature } from './github';
import type { HandshakeAnswer, HandshakeInput, WebhookScheme } from './scheme';

/**
 * Meta's challenge is an integer; other values are echoed only when short, printable and free of the
 * characters markup needs, so the endpoint cannot be used to reflect content of a caller's choosing.
 */
const challengePattern = /^[\x21-\x7E]{1,256}$/;
const markupCharacters = /[<>&"']/;

const refused = 'The verify token does not match';

/**
 * Meta's subscription handshake: `GET …?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>`
 * is answered 200 `text/plain` with the challenge exactly, when the token equals the source's verify
 * token (compared as digests: neither content nor length leaks). The request is unsigned, so a source
 * with no verify token refuses every handshake (403, the same answer as a wrong token); other modes and
 * missing parameters are 400. A POST is never a handshake: deliveries are signed events.
 */
export function answerMetaHandshake({
  method,
  query,
  verifyToken,
}: HandshakeInput): HandshakeAnswer | undefined {
  if (method !== 'GET') return undefined;
  if (verifyToken === undefined) throw new ForbiddenError(refused);
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || token === undefined || challenge === undefined)
    throw new BadRequestError(
      'A Meta handshake is hub.mode=subscribe with hub.verify_token and hub.challenge',
    );
  if (findMatchingToken([Buffer.from(verifyToken, 'utf8')], token) !== 0) throw new ForbiddenError(refused);
  if (!challengePattern.test(challenge) || markupCharacters.test(challenge))
    throw new BadRequestError('The hub.challenge must be 1 to 256 printable characters without markup');
  return { statusCode: 200, contentType: 'text/plain; charset=utf-8', body: challenge };
}

/**
 * Meta (WhatsApp, Messenger, Instagram): `X-Hub-Signature-256: sha256=<hex>` under the App Secret — the
 * same construction and header as GitHub's, so GitHub's verifier is used as it is. Meta sends no delivery
 * id and no timestamp: deliveries are deduplicated by content. The type is the body's `object`
 * (`whatsapp_business_account`, `page`, `instagram`…); `entry[].changes[].field` says more.
 */
export const meta: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyGithubSignature,
  body: 'json-object',
  identify: (_request, _settings, json) => ({ eventType: stringField(json, 'object') }),
  keptHeaders: [],
  answerHandshake: answerMetaHandshake,
  handshakeMethods: ['GET'],
};
