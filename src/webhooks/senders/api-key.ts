import { defaultApiKeyHeader } from '../schemes/api-key';
import type { SchemeSettings } from '../schemes/scheme';
import type { SchemeSender } from './sender';

/** An API key in the source's key header (default `x-api-key`), after its prefix (`Bearer `…). */
export function signApiKey(secret: string, settings: SchemeSettings = {}): Record<string, string> {
  const prefix = settings.hmac?.prefix ?? '';
  // Configured prefixes are trimmed: an auth scheme (`Bearer`) is followed by one space, as providers send it.
  const separator = /[A-Za-z]$/.test(prefix) ? ' ' : '';
  return { [settings.hmac?.header ?? defaultApiKeyHeader]: `${prefix}${separator}${secret}` };
}

export const apiKeySender: SchemeSender = {
  defaultEvent: 'sample.created',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({ id, type: event, timestamp: new Date(nowSeconds * 1000).toISOString(), data: {} }),
    ),
  sign: ({ secret, id, event, settings }) => ({
    headers: {
      ...(settings.idHeader === undefined ? {} : { [settings.idHeader]: id }),
      ...(settings.eventHeader === undefined ? {} : { [settings.eventHeader]: event }),
      ...signApiKey(secret, settings),
    },
  }),
};
