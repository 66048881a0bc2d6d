import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy to a local port that can drop its connections the way a network does: the
 * sockets closed without a word from the server, so that node-postgres sees "Connection terminated"
 * and no error code. While cut, it closes every new connection as soon as it opens.
 */
export interface CuttingProxy {
  readonly port: number;
  /** Closes every open connection, and each new one until `mend`. */
  cut(): void;
  /** Passes connections through again. */
  mend(): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        open.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      cut = true;
      for (const socket of open) {
        socket.destroy();
      }
    },
    mend: () => {
      cut = false;
    },
    close: async () => {
      for (const socket of open) {
        socket.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
