import { hmacSha256 } from '../signature/hmac';

/** The `v0` signature Slack and Zoom send: `v0=` + hex HMAC-SHA256 of `"v0:<timestamp>:<body>"`. */
export function signV0(secret: string, body: string | Buffer, timestampSeconds: number): string {
  return `v0=${hmacSha256(Buffer.from(secret), `v0:${timestampSeconds}:`, body).toString('hex')}`;
}
