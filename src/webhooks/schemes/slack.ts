import { BadRequestError } from '../../errors';
import type { SignatureCheck, WebhookRequest } from '../signature/types';
import { bodyId, objectField, parseJsonObject, stringField, topLevelStrings, utf8Key } from './fields';
import type {
  HandshakeAnswer,
  HandshakeInput,
  ProviderIdentity,
  SchemeVerification,
  WebhookScheme,
} from './scheme';
import { verifyV0Signature } from './v0-signature';

/**
 * Slack: `X-Slack-Signature: v0=<hex>` over `"v0:<X-Slack-Request-Timestamp>:<raw body>"` with the app's
 * signing secret, timestamp within ±300 s (Slack documents five minutes; Bolt refuses only old ones, we
 * also refuse the future).
 */
export function verifySlackSignature(input: SchemeVerification): SignatureCheck {
  return verifyV0Signature(input, {
    signature: 'x-slack-signature',
    timestamp: 'x-slack-request-timestamp',
    signatureLabel: 'X-Slack-Signature',
    timestampLabel: 'X-Slack-Request-Timestamp',
  });
}

function bodyText(request: WebhookRequest): string {
  return typeof request.rawBody === 'string' ? request.rawBody : request.rawBody.toString('utf8');
}

/**
 * Where a Slack request says what it is. The Events API posts JSON: its `event_id` is in the signed body
 * and is the same on every retry (`X-Slack-Retry-Num`), so it deduplicates; the type is the inner
 * `event.type` (`app_mention`, `message`…), else the outer `type`. Slash commands and interactivity post
 * forms, which carry no delivery id (they are deduplicated by content): a slash command's type is
 * `slash_command:<command>` (`slash_command:/deploy`), an interaction's the `type` of its `payload` JSON
 * (`block_actions`, `view_submission`…). The body's first character decides, and it is signed.
 */
function identifySlack(request: WebhookRequest): ProviderIdentity {
  const text = bodyText(request);
  if (text.trimStart().startsWith('{')) {
    const json = parseJsonObject(text);
    return {
      signedId: bodyId(json?.event_id),
      eventType: stringField(objectField(json, 'event'), 'type') ?? stringField(json, 'type'),
    };
  }
  const form = new URLSearchParams(text);
  const command = form.get('command');
  if (command !== null) return { eventType: `slash_command:${command}` };
  const payload = form.get('payload');
  return { eventType: payload === null ? undefined : stringField(parseJsonObject(payload), 'type') };
}

/** Slack's challenges are short URL-safe text; anything else is refused rather than echoed. */
const challengePattern = /^[\x21-\x7e]{1,512}$/;

/**
 * Events API `url_verification` (`{"token","challenge","type":"url_verification"}`), offered only once
 * the request is verified: answered 200 with the challenge as text/plain, the answer Slack's
 * url_verification page gives first (it also takes JSON or a form).
 */
function answerSlackHandshake({ request }: HandshakeInput): HandshakeAnswer | undefined {
  const { type, challenge } = topLevelStrings(request, ['type', 'challenge']);
  if (type !== 'url_verification') return undefined;
  if (challenge === undefined || !challengePattern.test(challenge))
    throw new BadRequestError('A url_verification needs a challenge of 1 to 512 visible ASCII characters');
  return { statusCode: 200, contentType: 'text/plain', body: challenge };
}

export const slack: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifySlackSignature,
  // Events API JSON, slash-command and interactivity forms: any bytes.
  body: 'any',
  identify: identifySlack,
  keptHeaders: ['x-slack-request-timestamp', 'x-slack-retry-num', 'x-slack-retry-reason'],
  answerHandshake: answerSlackHandshake,
};
