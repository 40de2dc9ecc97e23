import type { SchemeName } from '../schemes';
import { apiKeySender } from './api-key';
import { basicSender } from './basic';
import { githubSender } from './github';
import { hmacSha256Sender } from './hmac-sha256';
import type { SchemeSender } from './sender';
import { standardSender } from './standard';
import { stripeSender } from './stripe';

export { signApiKey } from './api-key';
export { signBasic } from './basic';
export { signGithub } from './github';
export { signGenericHmac } from './hmac-sha256';
export { signStandard, standardPublicKey } from './standard';
export { signStripe } from './stripe';
export type * from './sender';

/** The sending side of every scheme (src/webhooks/schemes/ has the receiving side), by scheme name. */
export const senders: Record<SchemeName, SchemeSender> = {
  github: githubSender,
  stripe: stripeSender,
  standard: standardSender,
  'hmac-sha256': hmacSha256Sender,
  basic: basicSender,
  'api-key': apiKeySender,
};
