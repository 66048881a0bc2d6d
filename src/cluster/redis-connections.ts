import { Redis } from 'ioredis';
import { formatAddress, type NodeAddress } from './node-address.js';
import { commandFailure, NodeAuthenticationError, NodeUnreachableError } from './cluster-errors.js';
import { ioredisSecurityOptions, NO_SECURITY, withoutCommandArguments, type RedisSecurity, type SecurityLookup } from './redis-security.js';

export interface RedisConnectionOptions {
  /** How long a connection attempt may take; dead nodes must fail fast, not hang a step. */
  readonly connectTimeoutMs: number;
  /** How long one command may take before it counts as failed. */
  readonly commandTimeoutMs: number;
}

const DEFAULTS: RedisConnectionOptions = { connectTimeoutMs: 500, commandTimeoutMs: 3000 };

/**
 * One admin connection per node, opened on first use and reopened after it breaks, with the AUTH
 * and TLS of the target the node belongs to. Connections never retry on their own: a drill
 * decides itself what a refused node means.
 */
export class RedisConnections {
  private readonly clients = new Map<string, Promise<Redis>>();
  private readonly options: RedisConnectionOptions;

  constructor(
    options: Partial<RedisConnectionOptions> = {},
    private readonly securityOf: SecurityLookup = NO_SECURITY,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * A set of connections of its own, with these options and the same AUTH and TLS per node, none
   * open yet; whoever asks for it ends them with `closeAll`.
   */
  detached(): RedisConnections {
    return new RedisConnections(this.options, this.securityOf);
  }

  /** How connections to this node authenticate and encrypt. */
  security(address: NodeAddress): RedisSecurity | undefined {
    return this.securityOf(address);
  }

  /** Sends one command to one node and returns its raw reply; a failure is a `ClusterCommandError`. */
  async command(address: NodeAddress, name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = await this.client(address);
    try {
      return await client.call(name, ...args);
    } catch (error) {
      throw commandFailure(address, withoutCommandArguments(error));
    }
  }

  async client(address: NodeAddress): Promise<Redis> {
    const key = formatAddress(address);
    const existing = this.clients.get(key);
    if (existing) {
      const client = await existing.catch(() => undefined);
      if (client && client.status === 'ready') {
        return client;
      }
      this.forget(key, client);
    }
    const connecting = this.open(address);
    this.clients.set(key, connecting);
    try {
      return await connecting;
    } catch (error) {
      this.clients.delete(key);
      throw error;
    }
  }

  /** Opens connections ahead of time so that a time-critical step does not pay for them. */
  async warm(addresses: readonly NodeAddress[]): Promise<void> {
    await Promise.all(addresses.map((address) => this.client(address)));
  }

  async closeAll(): Promise<void> {
    const pending = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(
      pending.map(async (connecting) => {
        const client = await connecting.catch(() => undefined);
        client?.disconnect();
      }),
    );
  }

  private forget(key: string, client: Redis | undefined): void {
    this.clients.delete(key);
    client?.disconnect();
  }

  private async open(address: NodeAddress): Promise<Redis> {
    const security = this.securityOf(address);
    const client = new Redis({
      ...ioredisSecurityOptions(security),
      host: address.host,
      port: address.port,
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs,
      commandTimeout: this.options.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      retryStrategy: () => null,
    });
    // Errors surface through the failed command; without a listener ioredis would print each one.
    // A failed TLS handshake only closes the connection: the handshake's own error comes here.
    let lastError: unknown;
    client.on('error', (error) => (lastError = error));
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new NodeUnreachableError(address, withoutCommandArguments(lastError ?? error));
    }
    if (security?.credentials) {
      // AUTH goes out on connect without waiting for its answer; a refused one shows on the next command.
      try {
        await client.call('PING');
      } catch (error) {
        client.disconnect();
        // A refused AUTH closes the connection, and the refusal itself comes only as an 'error' event.
        throw new NodeAuthenticationError(address, withoutCommandArguments(lastError ?? error));
      }
    }
    return client;
  }
}
