import { S3Client } from '@aws-sdk/client-s3';
import { toIntegrationError } from '../error-mapping';
import type { ArgumentContext } from './arguments';

/*
 * What the S3 upload forms and download URLs share. Presigning is local computation (no request leaves the
 * process), so the AbortSignal is only checked up front.
 */

/**
 * The client that presigns GET URLs: `client` itself when it computes checksums only when required, else
 * a sibling with its region, credentials and endpoint that does. With the SDK defaults a presigned URL
 * carries a checksum parameter (a CRC32 of an empty body for a PUT, a checksum mode for a GET) that the
 * eventual request does not match. Presigned POST forms are built without the middleware stack and need no
 * sibling.
 */
export async function presignClientFor(client: S3Client): Promise<S3Client> {
  const mode = await client.config.requestChecksumCalculation();
  const validation = await client.config.responseChecksumValidation();
  if (mode === 'WHEN_REQUIRED' && validation === 'WHEN_REQUIRED') return client;
  const { region, credentials, endpoint, forcePathStyle } = client.config;
  return new S3Client({
    region,
    credentials,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Runs one presign: an aborted signal or any failure leaves as a typed IntegrationError. */
export async function presigning<T>(
  ctx: ArgumentContext,
  signal: AbortSignal | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await run();
  } catch (error) {
    throw toIntegrationError(error, ctx);
  }
}

export function expiresAt(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}
