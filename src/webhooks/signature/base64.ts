const base64Text = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of `text` as canonical base64 (standard alphabet), or undefined. Node's decoder silently
 * skips what it cannot read and ignores spare bits, so any text would otherwise decode — to a short or
 * empty key, or to one credential under several spellings. `padding: 'optional'` also takes the unpadded
 * form (secrets are often copied without their `=`); `'required'` takes only the padded one (what HTTP
 * Basic and signature headers carry). Not for per-request digests: signature/hmac.ts decodes those in place.
 */
export function decodeCanonicalBase64(
  text: string,
  padding: 'required' | 'optional' = 'required',
): Buffer | undefined {
  if (text === '' || !base64Text.test(text)) return undefined;
  if (padding === 'required' && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  return canonical === text || (padding === 'optional' && canonical.replace(/=+$/, '') === text)
    ? bytes
    : undefined;
}
