import { connect } from 'node:net';
import type { NodeAddress } from './node-address.js';

/**
 * Whether anything accepts TCP connections at the address. A killed Redis is known dead once its
 * port refuses: the kernel closes a process's sockets as it exits.
 */
export function acceptsConnections(address: NodeAddress, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port });
    const done = (accepting: boolean) => {
      socket.destroy();
      resolve(accepting);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED'));
  });
}
