import type { KeyObject } from 'node:crypto';
import type {
  HmacSchemeOptions,
  SignatureCheck,
  VerificationInput,
  WebhookRequest,
} from '../signature/types';

/**
 * What a configured secret becomes once decoded for its scheme: HMAC key or shared-token bytes
 * (`Buffer`), or a public key (`KeyObject`, Standard Webhooks `whpk_` ed25519 keys).
 */
export type SigningKey = Buffer | KeyObject;

/** A configured secret as a key, or why it cannot be one (never quoting the secret). */
export type DecodedSigningKey = { readonly key: SigningKey } | { readonly problem: string };

/** The per-source settings a scheme may read (from `WEBHOOK_<SETTING>_<SOURCE>`, see sources.ts). */
export interface SchemeSettings {
  /** `hmac-sha256`: the signature header, encoding and prefix; `api-key`: the key's header and prefix. */
  readonly hmac?: HmacSchemeOptions;
  /** Lower-cased header holding the provider's delivery id (configurable schemes only). */
  readonly idHeader?: string;
  /** Lower-cased header holding the event type (configurable schemes only). */
  readonly eventHeader?: string;
}

/** Everything a scheme's verifier is given: the request, keys and clock, and the source's settings. */
export interface SchemeVerification extends VerificationInput {
  readonly settings: SchemeSettings;
}

/**
 * Where a verified delivery says who it is. `signedId` deduplicates, so it must be covered by what
 * authenticated the request (the signed body or signed headers, or any header under a shared token);
 * an id outside the signature is `providerId`, kept for tracing only, and the delivery is deduplicated by
 * its content instead. Each is undefined when the provider does not send it.
 */
export interface ProviderIdentity {
  readonly signedId?: string;
  readonly providerId?: string;
  readonly eventType?: string;
}

/** A handshake as a scheme sees it: the request, its query, the source's keys and verify token. */
export interface HandshakeInput {
  readonly method: 'GET' | 'POST';
  readonly request: WebhookRequest;
  /** The decoded query parameters (first value of each). */
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly keys: readonly SigningKey[];
  /** A verified POST's matching key in `keys`: the secret the provider holds now (Zoom answers with it). */
  readonly secretIndex?: number;
  /** The source's configured verify token (Meta), when it has one. */
  readonly verifyToken?: string;
  /** The body parsed as JSON, for `json-object` schemes. */
  readonly json?: Readonly<Record<string, unknown>>;
}

/** The synchronous answer to a provider's handshake: never queued, never archived. */
export interface HandshakeAnswer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
  /** Response headers the provider reads the answer from (Standard Webhooks' `webhook-challenge-response`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One webhook provider's scheme: how its requests are authenticated, what they must contain, where they
 * say who they are, and which handshakes the receiver answers for it. A scheme never throws for what a
 * sender controls, except `identify` and `answerHandshake`, which throw the typed 4xx errors of
 * src/errors.ts.
 */
export interface WebhookScheme {
  /** The key a configured secret stands for, or why it cannot be one. */
  decodeKey(secret: string): DecodedSigningKey;
  /** Checks the request's signature or token against the keys; never throws. */
  verify(input: SchemeVerification): SignatureCheck;
  /** `json-object`: a verified body that is not a JSON object is refused (400). `any`: any bytes. */
  readonly body: 'json-object' | 'any';
  /** The delivery id and event type of a verified request; `json` is the parsed body of `json-object` schemes. */
  identify(
    request: WebhookRequest,
    settings: SchemeSettings,
    json?: Readonly<Record<string, unknown>>,
  ): ProviderIdentity;
  /** Headers worth keeping with the delivery: they describe it and never authenticate anything. */
  readonly keptHeaders: readonly string[];
  /** Settings the source must have: `publicUrl` (Twilio), `signatureHeader` (generic HMAC). */
  readonly requires?: readonly ('publicUrl' | 'signatureHeader')[];
  /** The header read when `WEBHOOK_SIGNATURE_HEADER_<SOURCE>` is unset (`api-key`: `x-api-key`). */
  readonly defaultSignatureHeader?: string;
  /**
   * Answers the provider's handshake, or undefined when the request is an ordinary delivery. A POST is
   * only offered here once verified; a GET (the methods in `handshakeMethods`) is offered unverified and
   * the scheme checks it itself (Meta: the verify token).
   */
  answerHandshake?(input: HandshakeInput): HandshakeAnswer | undefined;
  /** Methods other than POST the scheme's handshake uses. */
  readonly handshakeMethods?: readonly 'GET'[];
}
