import type { SchemeSettings } from '../../../../src/webhooks/schemes/scheme';
import {
  signingKeyFromSecret,
  verifySignature,
  type SchemeName,
  type SignatureCheck,
  type WebhookRequest,
} from '../../../../src/webhooks/signature';

/**
 * `scheme`'s verdict on `request` with `secrets` configured as WEBHOOK_SECRET_<SOURCE> entries (each
 * decoded as the receiver decodes it), at `nowMs`.
 */
export function verifyWithSecrets(
  scheme: SchemeName,
  request: WebhookRequest,
  secrets: readonly string[],
  options: { readonly nowMs: number; readonly toleranceSeconds?: number; readonly settings?: SchemeSettings },
): SignatureCheck {
  const { nowMs, toleranceSeconds, settings = {} } = options;
  return verifySignature(
    scheme,
    {
      request,
      keys: secrets.map((secret) => signingKeyFromSecret(scheme, secret)),
      nowMs,
      ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
    },
    settings,
  );
}
