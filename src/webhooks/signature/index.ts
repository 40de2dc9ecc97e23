import { verifyGenericHmacSignature } from './generic-hmac';
import { verifyGithubSignature } from './github';
import { verifyStandardWebhookSignature } from './standard-webhooks';
import { verifyStripeSignature } from './stripe';
import type { HmacSchemeOptions, SchemeName, SignatureCheck, VerificationInput } from './types';

export * from './signing-key';
export * from './types';

/**
 * Verifies a webhook's signature with `scheme` on its raw body. Never throws for anything a sender
 * controls: the answer is a SignatureCheck (valid with the matching secret's index, or why not).
 * `hmac` is required for the `hmac-sha256` scheme.
 */
export function verifySignature(
  scheme: SchemeName,
  input: VerificationInput,
  hmac?: HmacSchemeOptions,
): SignatureCheck {
  switch (scheme) {
    case 'github':
      return verifyGithubSignature(input);
    case 'stripe':
      return verifyStripeSignature(input);
    case 'standard':
      return verifyStandardWebhookSignature(input);
    case 'hmac-sha256':
      if (hmac === undefined) throw new Error('The hmac-sha256 scheme needs its header options');
      return verifyGenericHmacSignature(input, hmac);
  }
}
