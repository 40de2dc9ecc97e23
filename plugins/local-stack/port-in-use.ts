import { createServer } from 'node:net';

/**
 * True when something already listens on `host:port` (binding it fails with EADDRINUSE). Any other
 * failure (a privileged port, a host that does not resolve) answers false: the listener that really binds
 * the port reports it then. The port is free again when this resolves.
 */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
