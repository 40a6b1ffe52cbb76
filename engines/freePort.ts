import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where the kernel takes the local ports of outgoing connections (and of `listen(0)`) from. A port
 * picked in that range and released can be taken by any connection the machine opens before our
 * server listens on it; below it, only another server choosing the same number can.
 */
function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 12_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : null));
    });
  });
}

/**
 * A TCP port free on 127.0.0.1 right now, for servers that cannot listen on port 0 themselves
 * (services that must know each other's address before they start). Chosen at random below the
 * ephemeral range, so the many short-lived connections of a busy machine cannot take it between
 * this check and the server's listen; the kernel's choice if none is found.
 */
export async function freePort(): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryListen(LOWEST + Math.floor(Math.random() * (highest - LOWEST)));
    if (port !== null) return port;
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
