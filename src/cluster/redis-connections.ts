import { Redis } from 'ioredis';
import { formatAddress, type NodeAddress } from './node-address.js';
import { commandFailure, NodeUnreachableError } from './cluster-errors.js';

export interface RedisConnectionOptions {
  /** How long a connection attempt may take; dead nodes must fail fast, not hang a step. */
  readonly connectTimeoutMs: number;
  /** How long one command may take before it counts as failed. */
  readonly commandTimeoutMs: number;
}

const DEFAULTS: RedisConnectionOptions = { connectTimeoutMs: 500, commandTimeoutMs: 3000 };

/**
 * One admin connection per node, opened on first use and reopened after it breaks.
 * Connections never retry on their own: a drill decides itself what a refused node means.
 */
export class RedisConnections {
  private readonly clients = new Map<string, Promise<Redis>>();
  private readonly options: RedisConnectionOptions;

  constructor(options: Partial<RedisConnectionOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Sends one command to one node and returns its raw reply; a failure is a `ClusterCommandError`. */
  async command(address: NodeAddress, name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = await this.client(address);
    try {
      return await client.call(name, ...args);
    } catch (error) {
      throw commandFailure(address, error);
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
    const client = new Redis({
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
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new NodeUnreachableError(address, error);
    }
    return client;
  }
}
