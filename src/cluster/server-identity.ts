import { parseInfo } from './redis-info.parser.js';

/** Which server a node runs, as it says of itself. */
export interface ServerIdentity {
  /** `redis`, `valkey`, or what the node names itself in `server_name`. */
  readonly server: string;
  readonly version: string;
}

/**
 * Reads `INFO server`. Valkey keeps `redis_version` for clients that test it, frozen at 7.2.4; its
 * own version is `valkey_version`, and it names itself in `server_name`, which Redis lacks.
 */
export function parseServerIdentity(reply: string): ServerIdentity {
  const fields = parseInfo(reply);
  const valkey = fields.get('valkey_version');
  const server = fields.get('server_name') ?? (valkey === undefined ? 'redis' : 'valkey');
  const version = (server === 'valkey' ? valkey : undefined) ?? fields.get('redis_version');
  if (version === undefined) {
    throw new Error(`INFO server names no version (server ${JSON.stringify(server)})`);
  }
  return { server, version };
}
