import { hmacSha256 } from '../signature/hmac';
import type { HmacSchemeOptions } from '../signature/types';
import { genericSourceSender } from './generic-source';
import type { SchemeSender } from './sender';

/** Generic HMAC-SHA256 of the body in `options.header`, hex or base64, after `options.prefix`. */
export function signGenericHmac(
  secret: string,
  body: string | Buffer,
  options: HmacSchemeOptions,
): Record<string, string> {
  return {
    [options.header]: `${options.prefix}${hmacSha256(Buffer.from(secret), '', body).toString(options.encoding)}`,
  };
}

export const hmacSha256Sender: SchemeSender = genericSourceSender((secret, body, settings) => {
  if (settings.hmac === undefined) throw new Error('An hmac-sha256 source names its signature header');
  return signGenericHmac(secret, body, settings.hmac);
});
