/**
 * Keys whose values must never reach the logs: credentials, signatures, tokens, cookies, secrets. Matched
 * case-insensitively on the key name anywhere in a logged object (headers included).
 */
const secretKeyPattern =
  /authorization|signature|secret|token|password|passwd|cookie|api[-_]?key|credential|private[-_]?key|x-hub-signature|webhook-signature|stripe-signature/i;

export const REDACTED = '[REDACTED]';

/** True when a log attribute with this key may hold a secret. */
export function isSecretKey(key: string): boolean {
  return secretKeyPattern.test(key);
}

/**
 * A JSON.stringify replacer for the Powertools logger: replaces the value of every secret-looking key with
 * "[REDACTED]" (strings and objects, so a whole `credentials` block disappears), leaves everything else alone.
 */
export function redactSecrets(key: string, value: unknown): unknown {
  // Flags and counts (`signatureValid: true`) say nothing secret and help debugging: keep them.
  const mayHoldSecret = typeof value === 'string' || (typeof value === 'object' && value !== null);
  return key !== '' && mayHoldSecret && isSecretKey(key) ? REDACTED : value;
}
