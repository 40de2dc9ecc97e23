import { randomBytes } from 'node:crypto';

/** An S3 error answer: the status, code and message S3 itself gives, plus extra XML elements. */
export class S3PostError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'S3PostError';
  }
}

// Text content only needs <, > and & escaped; quotes stay readable, as in S3's own messages.
export const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The XML body S3 sends with an error: `<Error><Code/><Message/>…<RequestId/></Error>`. */
export function s3ErrorXml(error: S3PostError): string {
  const extra = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`
  );
}

/** 403 AccessDenied "Invalid according to Policy: …", S3's answer to any failed policy check. */
export const policyViolation = (reason: string) =>
  new S3PostError(403, 'AccessDenied', `Invalid according to Policy: ${reason}`);
