import { schemes, type SchemeName, type SchemeSettings } from '../schemes';
import type { HmacSchemeOptions, SignatureCheck, VerificationInput } from './types';

export { schemeNames, type SchemeName } from '../schemes';
export * from './signing-key';
export * from './types';

/**
 * Verifies a webhook's signature (or shared token) with `scheme` on its raw body. Never throws for
 * anything a sender controls: the answer is a SignatureCheck (valid with the matching secret's index, or
 * why not). `settings.hmac` is required for `hmac-sha256` (`api-key` defaults to `x-api-key`); an
 * `HmacSchemeOptions` alone is read as `{ hmac }`.
 */
export function verifySignature(
  scheme: SchemeName,
  input: VerificationInput,
  settings: SchemeSettings | HmacSchemeOptions = {},
): SignatureCheck {
  const schemeSettings: SchemeSettings = 'encoding' in settings ? { hmac: settings } : settings;
  if (schemes[scheme].requires?.includes('signatureHeader') && schemeSettings.hmac === undefined)
    throw new Error(`The ${scheme} scheme needs its header options`);
  return schemes[scheme].verify({ ...input, settings: schemeSettings });
}
