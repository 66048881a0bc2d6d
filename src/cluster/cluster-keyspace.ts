import { SLOT_COUNT, type ClusterNodeEntry } from './cluster-nodes.parser.js';
import type { ClusterAdmin } from './cluster-admin.js';
import { formatAddress } from './node-address.js';
import { describeNode, type NamedNode } from './node-snapshot.js';
import type { RedisConnections } from './redis-connections.js';
import { ClusterCommandError, ClusterStateError, commandFailure } from './cluster-errors.js';
import { calculateSlot } from './slot-keys.js';

const COPY_BATCH = 1000;
/**
 * Keys read per pipeline. Parsing thousands of replies at once held this process for 100–500 ms
 * on a busy 2-core machine, and the live probe, which shares it, counted that as client outage.
 */
const READ_BATCH = 500;

/**
 * Reads and writes keys straight on the master that owns each key's slot, by the slot map of
 * one member. Unlike a cluster client it never follows a redirect to a node outside the target.
 */
export class ClusterKeyspace {
  constructor(
    private readonly redis: RedisConnections,
    private readonly admin: ClusterAdmin,
  ) {}

  async write(members: readonly NamedNode[], items: readonly { key: string; value: string }[]): Promise<void> {
    const routes = await this.route(
      members,
      items.map((item) => item.key),
    );
    const values = new Map(items.map((item) => [item.key, item.value]));
    await Promise.all(
      [...routes].map(([owner, keys]) =>
        onNode(owner, async () => {
          const pipeline = (await this.redis.client(owner)).pipeline();
          for (const key of keys) {
            pipeline.set(key, values.get(key)!);
          }
          throwFirstError(owner, await pipeline.exec());
        }),
      ),
    );
  }

  /** Values by key; `null` for a key the owning master does not have. */
  async read(members: readonly NamedNode[], keys: readonly string[]): Promise<Map<string, string | null>> {
    const routes = await this.route(members, keys);
    const found = new Map<string, string | null>();
    await Promise.all(
      [...routes].map(([owner, ownedKeys]) =>
        onNode(owner, async () => {
          const client = await this.redis.client(owner);
          for (let start = 0; start < ownedKeys.length; start += READ_BATCH) {
            const batch = ownedKeys.slice(start, start + READ_BATCH);
            const pipeline = client.pipeline();
            for (const key of batch) {
              pipeline.get(key);
            }
            const replies = throwFirstError(owner, await pipeline.exec());
            batch.forEach((key, index) => found.set(key, (replies[index] as string | null) ?? null));
          }
        }),
      ),
    );
    return found;
  }

  /**
   * Copies every key the given masters hold into the cluster the members form: `SCAN` on each
   * source master, `PTTL` and `DUMP` in a pipeline, then `RESTORE … REPLACE` on the destination
   * master that owns each key's slot. Returns how many keys and payload bytes were copied.
   */
  async copyAll(sources: readonly NamedNode[], members: readonly NamedNode[]): Promise<{ keys: number; bytes: number }> {
    let keys = 0;
    let bytes = 0;
    for (const source of sources) {
      const client = await this.redis.client(source);
      let cursor = '0';
      do {
        const [next, batch] = await onNode(source, () => client.scan(cursor, 'COUNT', COPY_BATCH));
        cursor = next;
        if (batch.length === 0) {
          continue;
        }
        const reads = client.pipeline();
        for (const key of batch) {
          reads.pttl(key);
          reads.dumpBuffer(key);
        }
        const replies = throwFirstError(source, await onNode(source, () => reads.exec()));
        const entries = batch
          .map((key, index) => ({ key, ttl: replies[index * 2] as number, payload: replies[index * 2 + 1] as Buffer | null }))
          // Gone since the scan (-2, or no payload): nothing to copy.
          .filter((entry): entry is { key: string; ttl: number; payload: Buffer } => entry.ttl !== -2 && entry.payload !== null);
        const routes = await this.route(
          members,
          entries.map((entry) => entry.key),
        );
        const byKey = new Map(entries.map((entry) => [entry.key, entry]));
        await Promise.all(
          [...routes].map(([owner, ownedKeys]) =>
            onNode(owner, async () => {
              const writes = (await this.redis.client(owner)).pipeline();
              for (const key of ownedKeys) {
                const entry = byKey.get(key)!;
                writes.restore(key, Math.max(entry.ttl, 0), entry.payload, 'REPLACE');
              }
              throwFirstError(owner, await writes.exec());
            }),
          ),
        );
        keys += entries.length;
        bytes += entries.reduce((sum, entry) => sum + entry.payload.length, 0);
      } while (cursor !== '0');
    }
    return { keys, bytes };
  }

  private async route(members: readonly NamedNode[], keys: readonly string[]): Promise<Map<NamedNode, string[]>> {
    const [viewer] = members;
    if (!viewer) {
      throw new ClusterStateError('no member to read the slot map from');
    }
    const ownerBySlot = slotOwners(await this.admin.entries(viewer));
    const memberByAddress = new Map(members.map((member) => [formatAddress(member), member]));
    const routes = new Map<NamedNode, string[]>();
    for (const key of keys) {
      const slot = calculateSlot(key);
      const owner = ownerBySlot[slot];
      if (!owner) {
        throw new ClusterStateError(`slot ${slot} has no owner in the slot map of ${describeNode(viewer)}`);
      }
      const member = memberByAddress.get(owner.address);
      if (!member) {
        throw new ClusterStateError(`slot ${slot} is served by ${owner.address || owner.id}, which is not one of this target's nodes`);
      }
      const bucket = routes.get(member) ?? [];
      bucket.push(key);
      routes.set(member, bucket);
    }
    return routes;
  }
}

/** The master entry serving each slot, in one node's view. */
export function slotOwners(entries: readonly ClusterNodeEntry[]): (ClusterNodeEntry | undefined)[] {
  const owners = new Array<ClusterNodeEntry | undefined>(SLOT_COUNT).fill(undefined);
  for (const entry of entries) {
    if (entry.role !== 'master') {
      continue;
    }
    for (const range of entry.slots) {
      owners.fill(entry, range.start, range.end + 1);
    }
  }
  return owners;
}

function throwFirstError(owner: NamedNode, results: [Error | null, unknown][] | null): unknown[] {
  if (!results) {
    throw new ClusterCommandError(owner, undefined, `pipeline to ${describeNode(owner)} was discarded`);
  }
  const failed = results.find(([error]) => error);
  if (failed?.[0]) {
    throw new ClusterCommandError(owner, failed[0], `${describeNode(owner)} refused a key command: ${failed[0].message}`);
  }
  return results.map(([, value]) => value);
}

/** Runs commands on one node over its raw client: what ioredis throws comes out typed. */
async function onNode<T>(node: NamedNode, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw commandFailure(node, error);
  }
}
