import { request, type IncomingHttpHeaders } from 'node:http';

export interface EmulatorAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One small request of the proxy's own to the emulator behind it (a HEAD, a tagging read or write, a
 * listing), answered in full. The emulator checks no signature, so none is sent. Rejects when the emulator
 * is unreachable.
 */
export function emulatorRequest(
  target: URL,
  method: string,
  path: string,
  body?: string,
): Promise<EmulatorAnswer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const outgoing = request(
      { hostname: target.hostname, port: target.port, method, path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
