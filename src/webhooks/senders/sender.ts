import type { SchemeSettings } from '../schemes/scheme';

/**
 * The sending side of a scheme, as its provider computes it: used by `npm run webhook:send`, the sample
 * events under events/, the fuzz and reliability runs and the benchmarks, and by anyone testing a
 * deployed receiver. Nothing here ships: no function imports src/webhooks/senders/.
 */

/** What a sender signs with and about. */
export interface SendInput {
  /** The source's current secret, as configured (`WEBHOOK_SECRET_<SOURCE>`'s first entry). */
  readonly secret: string;
  readonly settings: SchemeSettings;
  readonly body: Buffer;
  /** The provider's id for this delivery, put where the provider puts it (header or body). */
  readonly id: string;
  readonly event: string;
  readonly nowSeconds: number;
  /** The public URL the provider signs (Twilio): the source's `WEBHOOK_PUBLIC_URL_<SOURCE>`. */
  readonly publicUrl?: string;
}

/** A signed request: headers to send and, for schemes that sign the URL, the query string. */
export interface SignedRequest {
  readonly headers: Record<string, string>;
  /** Without `?`; empty or undefined for none. */
  readonly query?: string;
}

/** A handshake as the provider sends it, and whether an answer is the one the provider wants. */
export interface HandshakeRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly query?: string;
  readonly body?: Buffer;
  /**
   * Undefined when the answer completes the handshake, else what is wrong with it. `headers` (lower-cased
   * names) for handshakes answered in a header (Standard Webhooks' `webhook-challenge-response`).
   */
  check(
    statusCode: number,
    body: string,
    headers?: Readonly<Record<string, string | undefined>>,
  ): string | undefined;
}

export interface HandshakeInput extends Omit<SendInput, 'body' | 'id' | 'event'> {
  /** The source's verify token (Meta), when configured. */
  readonly verifyToken?: string;
  /** The random challenge to send. */
  readonly challenge: string;
}

export interface SchemeSender {
  /** The event type of the sample body. */
  readonly defaultEvent: string;
  /** A prefix for generated provider ids (`evt_`, `msg_`), empty for none. */
  readonly idPrefix: string;
  readonly contentType: string;
  /** True when the signature carries a timestamp (a stale copy is refused; fixtures re-sign it). */
  readonly signsTimestamp: boolean;
  /** A small body of the provider's shape for `event`, carrying `id` where the provider puts its id. */
  sampleBody(event: string, id: string, nowSeconds: number): Buffer;
  /** The headers (and query) the provider sends with `body`. */
  sign(input: SendInput): SignedRequest;
  /** The provider's handshake, for schemes that have one. */
  handshake?(input: HandshakeInput): HandshakeRequest;
}
