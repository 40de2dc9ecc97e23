import type { SigningKey } from '../schemes/scheme';

/**
 * A received webhook as the signature schemes see it: lower-cased header names and the body exactly as
 * it arrived — `Buffer` when API Gateway base64-encoded it, else the UTF-8 text (hashed as UTF-8 bytes,
 * which is what the provider signed; no copy is made on the common text path).
 */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: string | Buffer;
  /** The query string as received, without `?` (schemes that sign the URL: Twilio). */
  readonly rawQueryString?: string;
}

/**
 * Why a signature was not accepted: `missing` (no signature header), `malformed` (a header that cannot
 * be parsed: a 400), `stale` (timestamp outside the tolerance), `mismatch` (no secret produced it).
 */
export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export type SignatureCheck =
  | {
      readonly valid: true;
      /** Index of the secret that matched (rotation: >0 means an older secret). */ readonly secretIndex: number;
    }
  | {
      readonly valid: false;
      readonly failure: SignatureFailure;
      /** Safe to return to the caller. */ readonly detail: string;
    };

/** Options of the generic `hmac-sha256` scheme (per source). */
export interface HmacSchemeOptions {
  /** Lower-cased name of the header carrying the signature. */
  readonly header: string;
  readonly encoding: 'hex' | 'base64';
  /** Text before the signature in the header, e.g. `sha256=`; empty for none. */
  readonly prefix: string;
}

/** What every scheme needs: the request, the candidate keys (already decoded), and the clock in ms. */
export interface VerificationInput {
  readonly request: WebhookRequest;
  readonly keys: readonly SigningKey[];
  readonly nowMs: number;
  /** Allowed distance between a signed timestamp and now, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The public URL the provider signs (Twilio), as configured for the source: no query string. */
  readonly publicUrl?: string;
}

export const defaultToleranceSeconds = 300;

/**
 * Shortest HMAC key or shared token accepted, in bytes (128 bits). Shorter keys are guessable; an empty
 * one — a lone `whsec_`, or `standard` text that is not base64, which Node decodes to nothing — is a key
 * anyone can sign with.
 */
export const minimumSigningKeyBytes = 16;

export const rejected = (failure: SignatureFailure, detail: string): SignatureCheck => ({
  valid: false,
  failure,
  detail,
});
