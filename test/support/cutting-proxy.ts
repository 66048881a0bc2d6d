import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy to a local port that can fail its connections the way a network does:
 * drop them, the sockets closed without a word from the server, so that node-postgres sees
 * "Connection terminated" and no error code; or go silent, every byte held and nothing closed, as
 * when the server's host hangs or a link drops every packet.
 */
export interface CuttingProxy {
  readonly port: number;
  /** Closes every open connection, and each new one until `mend`. */
  cut(): void;
  /** Passes nothing either way on the open connections, and leaves new ones unanswered, until `mend`. */
  silence(): void;
  /** Passes connections through again; the connections opened while silent are closed. */
  mend(): void;
  close(): Promise<void>;
}

/** A client's connection and the one to the target it is piped to. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const pairs = new Set<Pair>();
  const held = new Set<Socket>();
  let state: 'passing' | 'cut' | 'silent' = 'passing';

  /** Each way bytes go through a pair: from the client up, and back. */
  const directions = (pair: Pair) =>
    [
      [pair.client, pair.upstream],
      [pair.upstream, pair.client],
    ] as const;
  const flow = (pair: Pair, on: boolean) => {
    for (const [from, to] of directions(pair)) {
      if (on) {
        from.pipe(to);
      } else {
        from.unpipe(to);
        from.pause();
      }
    }
  };
  const destroyAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const socket of held) {
      socket.destroy();
    }
  };

  const server = createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    if (state === 'silent') {
      held.add(client);
      client.on('error', () => undefined);
      client.on('close', () => held.delete(client));
      return;
    }
    const pair = { client, upstream: connect(targetPort, '127.0.0.1') };
    pairs.add(pair);
    for (const [from, to] of directions(pair)) {
      from.on('error', () => to.destroy());
      from.on('close', () => {
        pairs.delete(pair);
        to.destroy();
      });
    }
    flow(pair, true);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      state = 'cut';
      destroyAll();
    },
    silence: () => {
      state = 'silent';
      for (const pair of pairs) {
        flow(pair, false);
      }
    },
    mend: () => {
      if (state === 'silent') {
        for (const pair of pairs) {
          flow(pair, true);
        }
        for (const socket of held) {
          socket.destroy();
        }
      }
      state = 'passing';
    },
    close: async () => {
      destroyAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
