import { createServer, connect as connectTcp, type Socket } from 'node:net';

/** A TCP front of several instances of one service: each new connection goes to the next one in turn. */
export interface RoundRobin {
  /** Connections each backend was given, in the order the backends were given. */
  connections: number[];
  stop(): Promise<void>;
}

export async function startRoundRobin(port: number, backendPorts: readonly number[]): Promise<RoundRobin> {
  const sockets = new Set<Socket>();
  const connections = backendPorts.map(() => 0);
  let next = 0;
  const server = createServer((client) => {
    const index = next++ % backendPorts.length;
    connections[index]! += 1;
    const upstream = connectTcp({ host: '127.0.0.1', port: backendPorts[index]! });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => (socket === client ? upstream : client).destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    connections,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
