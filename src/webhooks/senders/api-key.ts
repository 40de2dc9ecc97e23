import { defaultApiKeyHeader } from '../schemes/api-key';
import type { SchemeSettings } from '../schemes/scheme';
import { genericSourceSender } from './generic-source';
import type { SchemeSender } from './sender';

/** An API key in the source's key header (default `x-api-key`), after its prefix (`Bearer `…). */
export function signApiKey(secret: string, settings: SchemeSettings = {}): Record<string, string> {
  const prefix = settings.hmac?.prefix ?? '';
  // Configured prefixes are trimmed: an auth scheme (`Bearer`) is followed by one space, as providers send it.
  const separator = /[A-Za-z]$/.test(prefix) ? ' ' : '';
  return { [settings.hmac?.header ?? defaultApiKeyHeader]: `${prefix}${separator}${secret}` };
}

export const apiKeySender: SchemeSender = genericSourceSender((secret, _body, settings) =>
  signApiKey(secret, settings),
);
