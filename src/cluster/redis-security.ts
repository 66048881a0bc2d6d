import type { ConnectionOptions } from 'node:tls';
import type { NodeAddress } from './node-address.js';

/** Who the service is to a node: the default user's password, or an ACL user and its password. */
export interface RedisCredentials {
  readonly username?: string;
  readonly password: string;
}

/** The PEM contents the service's TLS connections use: the CA it trusts, and its own certificate and key. */
export interface RedisTlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** How to connect to the nodes of one target; nothing set means plain TCP without AUTH. */
export interface RedisSecurity {
  readonly credentials?: RedisCredentials;
  readonly tls?: RedisTlsMaterial;
}

/** The security of the target a node belongs to, looked up by the node's address. */
export type SecurityLookup = (address: NodeAddress) => RedisSecurity | undefined;

export const NO_SECURITY: SecurityLookup = () => undefined;

/** The ioredis options for a connection with this security: AUTH on connect, and TLS with client certificate. */
export function ioredisSecurityOptions(security: RedisSecurity | undefined): {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
} {
  return {
    ...(security?.credentials?.username !== undefined ? { username: security.credentials.username } : {}),
    ...(security?.credentials ? { password: security.credentials.password } : {}),
    ...(security?.tls ? { tls: { ca: security.tls.ca, cert: security.tls.cert, key: security.tls.key } } : {}),
  };
}

/**
 * ioredis hangs the command it sent on the errors it raises (`error.command.args`), AUTH's password
 * and CONFIG SET masterauth's included; a logged cause would print them. They are dropped here.
 */
export function withoutCommandArguments(error: unknown): unknown {
  if (error instanceof Error && 'command' in error) {
    delete (error as { command?: unknown }).command;
  }
  return error;
}
