/**
 * Tests only: a TCP forwarder in front of PostgreSQL that a test can close
 * (new connections are dropped, open ones cut) and open again: a network
 * outage between a terminal and the chain's database.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpGate {
  port: number;
  open(): void;
  close(): void;
  stop(): Promise<void>;
}

export async function startTcpGate(targetPort: number, initiallyOpen: boolean): Promise<TcpGate> {
  let isOpen = initiallyOpen;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!isOpen) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    open: () => void (isOpen = true),
    close: () => {
      isOpen = false;
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
