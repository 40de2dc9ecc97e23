import { apiKey } from './api-key';
import { basic } from './basic';
import { github } from './github';
import { gitlab } from './gitlab';
import { hmacSha256 } from './hmac-sha256';
import { meta } from './meta';
import { paddle } from './paddle';
import type { WebhookScheme } from './scheme';
import { shopify } from './shopify';
import { slack } from './slack';
import { standard } from './standard';
import { stripe } from './stripe';
import { zoom } from './zoom';
import { twilio } from './twilio';

/**
 * Every scheme a webhook source can use, by the name `WEBHOOK_SCHEME_<SOURCE>` gives (a source named like
 * its scheme needs none). One file per provider in this folder; docs/webhooks.md has a section for each.
 */
export const schemes = {
  github,
  stripe,
  standard,
  'hmac-sha256': hmacSha256,
  shopify,
  meta,
  gitlab,
  slack,
  zoom,
  basic,
  'api-key': apiKey,
  paddle,
  twilio,
} as const satisfies Record<string, WebhookScheme>;

export type SchemeName = keyof typeof schemes;
export const schemeNames = Object.keys(schemes) as SchemeName[];

/** True when `name` is a scheme's name. */
export function isSchemeName(name: string): name is SchemeName {
  return Object.hasOwn(schemes, name);
}

export type * from './scheme';
