import type { SchemeName } from '../schemes';
import { apiKeySender } from './api-key';
import { basicSender } from './basic';
import { githubSender } from './github';
import { gitlabSender } from './gitlab';
import { hmacSha256Sender } from './hmac-sha256';
import { metaSender } from './meta';
import { paddleSender } from './paddle';
import type { SchemeSender } from './sender';
import { shopifySender } from './shopify';
import { slackSender } from './slack';
import { standardSender } from './standard';
import { stripeSender } from './stripe';
import { zoomSender } from './zoom';
import { twilioSender } from './twilio';

export { signApiKey } from './api-key';
export { signBasic } from './basic';
export { signGithub } from './github';
export { signGitlab } from './gitlab';
export { signGenericHmac } from './hmac-sha256';
export { signMeta } from './meta';
export { signShopify } from './shopify';
export { signStandard, standardPublicKey } from './standard';
export { signStripe } from './stripe';
export { signSlack } from './slack';
export { signZoom, zoomValidationAnswer } from './zoom';
export { signPaddle } from './paddle';
export { signTwilioForm, signTwilioJson } from './twilio';
export type * from './sender';

/** The sending side of every scheme (src/webhooks/schemes/ has the receiving side), by scheme name. */
export const senders: Record<SchemeName, SchemeSender> = {
  github: githubSender,
  stripe: stripeSender,
  standard: standardSender,
  'hmac-sha256': hmacSha256Sender,
  shopify: shopifySender,
  meta: metaSender,
  gitlab: gitlabSender,
  slack: slackSender,
  zoom: zoomSender,
  basic: basicSender,
  'api-key': apiKeySender,
  paddle: paddleSender,
  twilio: twilioSender,
};
