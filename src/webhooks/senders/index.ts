import type { SchemeName } from '../schemes';
import { githubSender } from './github';
import { gitlabSender } from './gitlab';
import { hmacSha256Sender } from './hmac-sha256';
import { metaSender } from './meta';
import type { SchemeSender } from './sender';
import { shopifySender } from './shopify';
import { slackSender } from './slack';
import { standardSender } from './standard';
import { stripeSender } from './stripe';
import { zoomSender } from './zoom';

export { signGithub } from './github';
export { signGitlab } from './gitlab';
export { signGenericHmac } from './hmac-sha256';
export { signMeta } from './meta';
export { signShopify } from './shopify';
export { signStandard } from './standard';
export { signStripe } from './stripe';
export { signSlack } from './slack';
export { signZoom, zoomValidationAnswer } from './zoom';
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
};
