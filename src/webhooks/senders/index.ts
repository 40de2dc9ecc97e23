import type { SchemeName } from '../schemes';
import { githubSender } from './github';
import { hmacSha256Sender } from './hmac-sha256';
import { paddleSender } from './paddle';
import type { SchemeSender } from './sender';
import { standardSender } from './standard';
import { stripeSender } from './stripe';
import { twilioSender } from './twilio';

export { signGithub } from './github';
export { signGenericHmac } from './hmac-sha256';
export { signPaddle } from './paddle';
export { signStandard } from './standard';
export { signStripe } from './stripe';
export { signTwilioForm, signTwilioJson } from './twilio';
export type * from './sender';

/** The sending side of every scheme (src/webhooks/schemes/ has the receiving side), by scheme name. */
export const senders: Record<SchemeName, SchemeSender> = {
  github: githubSender,
  stripe: stripeSender,
  standard: standardSender,
  'hmac-sha256': hmacSha256Sender,
  paddle: paddleSender,
  twilio: twilioSender,
};
