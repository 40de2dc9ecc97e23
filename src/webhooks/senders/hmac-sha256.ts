import { hmacSha256 } from '../signature/hmac';
import type { HmacSchemeOptions } from '../signature/types';
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

export const hmacSha256Sender: SchemeSender = {
  defaultEvent: 'sample.created',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({ id, type: event, timestamp: new Date(nowSeconds * 1000).toISOString(), data: {} }),
    ),
  sign: ({ secret, body, id, event, settings }) => {
    if (settings.hmac === undefined) throw new Error('An hmac-sha256 source names its signature header');
    return {
      headers: {
        ...(settings.idHeader === undefined ? {} : { [settings.idHeader]: id }),
        ...(settings.eventHeader === undefined ? {} : { [settings.eventHeader]: event }),
        ...signGenericHmac(secret, body, settings.hmac),
      },
    };
  },
};
