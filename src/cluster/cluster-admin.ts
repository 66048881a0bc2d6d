import { errorMessage } from '../common/app-error.js';
import { pending, satisfied, waitFor, WaitTimeoutError } from '../common/wait-for.js';
import { formatSlots, parseClusterNodes, SLOT_COUNT, slotCount, type ClusterNodeEntry } from './cluster-nodes.parser.js';
import { healthProblems, roleDisagreements, unservedSlots, type HealthExpectations } from './health-gate.js';
import { epochLaggards } from './epochs.js';
import { staleClaims, type StaleClaim } from './stale-claims.js';
import { takeoverRefusal, type TakeoverLook } from './takeover-look.js';
import { formatAddress } from './node-address.js';
import { describeNode, type NamedNode, type NodeSnapshot } from './node-snapshot.js';
import { parseInfo, parseReplicationInfo, type ReplicationInfo } from './redis-info.parser.js';
import type { RedisConnections } from './redis-connections.js';
import { parseServerIdentity, type ServerIdentity } from './server-identity.js';
import { ClusterCommandError, ClusterStateError, PromotionFailedError } from './cluster-errors.js';

/** Bounds on every wait the admin does; each one ends in a timeout error that says what was awaited. */
export interface ClusterAdminSettings {
  /** Pause between two looks at a condition. */
  readonly pollIntervalMs: number;
  /** Nodes learning of each other after `CLUSTER MEET`. */
  readonly joinTimeoutMs: number;
  /** A replica reaching its master's offset. */
  readonly syncTimeoutMs: number;
  /** A replica answering `ROLE` as master after one `CLUSTER FAILOVER TAKEOVER`. */
  readonly promoteTimeoutMs: number;
  readonly takeoverAttempts: number;
  /** Every surviving node reporting all slots served by the survivors. */
  readonly servingTimeoutMs: number;
  /**
   * How long a node may go on giving a replaced master's slots to it after a takeover before
   * its view is corrected (see `waitTakeoversHeard`): longer than the gossip needs to carry a
   * claim at the lab's node timeout, short beside `servingTimeoutMs`.
   */
  readonly claimsHeardWithinMs: number;
  /** Forgotten ids disappearing from every node's table. */
  readonly forgetTimeoutMs: number;
  readonly healthTimeoutMs: number;
}

export const DEFAULT_CLUSTER_ADMIN_SETTINGS: ClusterAdminSettings = {
  pollIntervalMs: 10,
  joinTimeoutMs: 15_000,
  syncTimeoutMs: 30_000,
  promoteTimeoutMs: 1_000,
  takeoverAttempts: 3,
  servingTimeoutMs: 15_000,
  claimsHeardWithinMs: 3_000,
  forgetTimeoutMs: 15_000,
  healthTimeoutMs: 30_000,
};

/** A permission by its ACL name (`cluster|failover`, `~redis-drill:*`), and a command that needs it. */
export interface PermissionCheck {
  readonly permission: string;
  readonly command: readonly [string, ...(string | number)[]];
}

/** Pause between two looks while a master holds its clients' writes: each look shortens the outage. */
const HELD_WRITES_POLL_MS = 2;

export interface ReplicaPair {
  readonly replica: NamedNode;
  readonly master: NamedNode;
}

export interface Promotion {
  readonly node: NamedNode;
  readonly nodeId: string;
  readonly attempts: number;
  readonly tookMs: number;
}

/**
 * The Redis Cluster operations a drill needs, each of which returns only once the cluster shows
 * the result, or fails with the reason it did not. Talks only to the nodes it is handed.
 */
export class ClusterAdmin {
  constructor(
    private readonly redis: RedisConnections,
    readonly settings: ClusterAdminSettings = DEFAULT_CLUSTER_ADMIN_SETTINGS,
  ) {}

  /**
   * Runs `use` with these operations on connections of their own (the same AUTH and TLS), closed
   * when it ends: for a look at nodes the service does not keep, such as a cluster being discovered,
   * which would otherwise leave a connection open on each of them until the service stops.
   */
  async withOwnConnections<T>(use: (admin: ClusterAdmin) => Promise<T>): Promise<T> {
    const redis = this.redis.detached();
    try {
      return await use(new ClusterAdmin(redis, this.settings));
    } finally {
      await redis.closeAll();
    }
  }

  async entries(node: NamedNode): Promise<ClusterNodeEntry[]> {
    return parseClusterNodes(String(await this.redis.command(node, 'CLUSTER', 'NODES')));
  }

  async clusterInfo(node: NamedNode): Promise<Map<string, string>> {
    return parseInfo(String(await this.redis.command(node, 'CLUSTER', 'INFO')));
  }

  async replication(node: NamedNode): Promise<ReplicationInfo> {
    return parseReplicationInfo(String(await this.redis.command(node, 'INFO', 'replication')));
  }

  async serverIdentity(node: NamedNode): Promise<ServerIdentity> {
    return parseServerIdentity(String(await this.redis.command(node, 'INFO', 'server')));
  }

  async myId(node: NamedNode): Promise<string> {
    return String(await this.redis.command(node, 'CLUSTER', 'MYID'));
  }

  async keyCount(node: NamedNode): Promise<number> {
    return Number(await this.redis.command(node, 'DBSIZE'));
  }

  /** `ROLE`'s first field: `master` or `slave`. */
  async role(node: NamedNode): Promise<string> {
    const reply = (await this.redis.command(node, 'ROLE')) as unknown[];
    return String(reply[0]);
  }

  async snapshot(node: NamedNode): Promise<NodeSnapshot> {
    try {
      const [entries, clusterInfo, replication] = await Promise.all([this.entries(node), this.clusterInfo(node), this.replication(node)]);
      return { node, reachable: true, entries, clusterInfo, replication };
    } catch (error) {
      return { node, reachable: false, error: errorMessage(error) };
    }
  }

  snapshots(nodes: readonly NamedNode[]): Promise<NodeSnapshot[]> {
    return Promise.all(nodes.map((node) => this.snapshot(node)));
  }

  async warm(nodes: readonly NamedNode[]): Promise<void> {
    await this.redis.warm(nodes);
  }

  /**
   * Builds a cluster from empty nodes: distinct config epochs, slots split evenly over the
   * masters, every node meeting every other, then one replica per master in the given order.
   * Returns once the health gate is green on every node.
   */
  async createCluster(masters: readonly NamedNode[], replicas: readonly NamedNode[]): Promise<void> {
    const all = [...masters, ...replicas];
    await Promise.all(all.map((node) => this.assertEmpty(node)));
    await Promise.all(all.map((node, index) => this.redis.command(node, 'CLUSTER', 'SET-CONFIG-EPOCH', index + 1)));
    await Promise.all(
      masters.map((master, index) => {
        const { start, end } = evenSlotRange(index, masters.length);
        return this.redis.command(master, 'CLUSTER', 'ADDSLOTSRANGE', start, end);
      }),
    );
    await this.meet(all.slice(1), all.slice(0, 1));
    await this.replicate(
      replicas.map((replica, index) => ({ replica, master: masters[index % masters.length]! })),
      all,
    );
    await this.waitHealthy(all, {
      masters: masters.length,
      replicasPerMaster: Math.floor(replicas.length / masters.length),
      maxReplicaLagBytes: 0,
    });
  }

  /** Fails unless the node is a cluster of one: no other members, no slots, no keys. */
  async assertEmpty(node: NamedNode): Promise<void> {
    const [entries, keys] = await Promise.all([this.entries(node), this.keyCount(node)]);
    const self = entries.find((entry) => entry.myself);
    if (entries.length !== 1 || !self || slotCount(self) > 0 || keys > 0) {
      throw new ClusterStateError(
        `${describeNode(node)} is not an empty node: it knows ${entries.length} node(s), ` +
          `serves ${self ? slotCount(self) : 0} slot(s) and holds ${keys} key(s)`,
      );
    }
  }

  /**
   * Joins nodes to a cluster. Each joining node meets every member and every other joining node
   * directly rather than relying on gossip, which is slower and, while dead nodes linger in the
   * tables, was seen to leave `CLUSTER REPLICATE` refused for tens of seconds.
   */
  async meet(joining: readonly NamedNode[], members: readonly NamedNode[]): Promise<void> {
    await this.waitAllKnowEachOther(await this.sendMeets(joining, members));
  }

  /** The first half of `meet`: the commands. Returns every node that must end up knowing the others. */
  async sendMeets(joining: readonly NamedNode[], members: readonly NamedNode[]): Promise<NamedNode[]> {
    const all = [...members, ...joining];
    await Promise.all(
      joining.map((node) =>
        Promise.all(
          all.filter((other) => other !== node).map((other) => this.redis.command(node, 'CLUSTER', 'MEET', other.host, other.port)),
        ),
      ),
    );
    return all;
  }

  /** Waits until every node lists every other by its id, connected and out of handshake. */
  async waitAllKnowEachOther(nodes: readonly NamedNode[]): Promise<void> {
    const ids = await Promise.all(nodes.map((node) => this.myId(node)));
    await waitFor(
      async () => {
        const views = await Promise.all(nodes.map((node) => this.entries(node)));
        for (const [index, entries] of views.entries()) {
          for (const [otherIndex, id] of ids.entries()) {
            const entry = entries.find((candidate) => candidate.id === id);
            const observer = describeNode(nodes[index]!);
            const observed = describeNode(nodes[otherIndex]!);
            if (!entry) {
              return pending(`${observer} does not know ${observed} yet`);
            }
            if (entry.flags.includes('handshake') || entry.flags.includes('noaddr') || entry.linkState !== 'connected') {
              return pending(`${observer} sees ${observed} as ${entry.flags.join(',')} ${entry.linkState}`);
            }
          }
        }
        return satisfied(undefined);
      },
      this.waitOptions(`${nodes.map((node) => node.name).join(', ')} to know each other`, this.settings.joinTimeoutMs),
    );
  }

  /**
   * Makes each replica replicate its master, waits until every replica has caught up, and until
   * every node involved agrees on the new roles. A node that has not yet learnt its master's id
   * answers `ERR Unknown node`; that is retried.
   *
   * The others would learn a replica's new role only at their next gossip exchange with it, about
   * 1.3 s later on the lab; a `CLUSTER MEET` from the replica to each of them carries its new role
   * at once (36 ms), and a master that does not know its replica cannot hand over to it later.
   */
  async replicate(pairs: readonly ReplicaPair[], bystanders: readonly NamedNode[] = []): Promise<void> {
    await this.waitReplicated(pairs, await this.startReplication(pairs, bystanders));
  }

  /** The first half of `replicate`: the commands. Returns every node that must learn the new roles. */
  async startReplication(pairs: readonly ReplicaPair[], bystanders: readonly NamedNode[] = []): Promise<NamedNode[]> {
    await Promise.all(
      pairs.map(async ({ replica, master }) => {
        const masterId = await this.myId(master);
        await waitFor(
          async () => {
            const self = (await this.entries(replica)).find((entry) => entry.myself);
            if (self?.masterId !== masterId) {
              await this.redis.command(replica, 'CLUSTER', 'REPLICATE', masterId);
            }
            return satisfied(undefined);
          },
          this.waitOptions(`${describeNode(replica)} to accept CLUSTER REPLICATE of ${describeNode(master)}`, this.settings.joinTimeoutMs),
        );
      }),
    );
    const involved = [...new Set([...bystanders, ...pairs.flatMap(({ replica, master }) => [replica, master])])];
    await Promise.all(
      pairs.flatMap(({ replica }) =>
        involved
          .filter((other) => other !== replica)
          .map((other) => this.redis.command(replica, 'CLUSTER', 'MEET', other.host, other.port)),
      ),
    );
    return involved;
  }

  /** The second half of `replicate`: every replica caught up, every involved node agreeing on roles. */
  async waitReplicated(pairs: readonly ReplicaPair[], involved: readonly NamedNode[]): Promise<void> {
    await this.waitCaughtUp(pairs);
    await this.waitRolesAgreed(involved);
  }

  /** Waits until every node sees every other in the role that node gives itself, with no handshake left. */
  async waitRolesAgreed(nodes: readonly NamedNode[]): Promise<void> {
    await waitFor(
      async () => {
        const snapshots = await this.snapshots(nodes);
        const problems: string[] = [];
        for (const snapshot of snapshots) {
          if (!snapshot.reachable) {
            problems.push(`${describeNode(snapshot.node)} is unreachable: ${snapshot.error}`);
          } else if (snapshot.entries.some((entry) => entry.flags.includes('handshake'))) {
            problems.push(`${describeNode(snapshot.node)} still has a handshake in progress`);
          }
        }
        problems.push(...roleDisagreements(snapshots.filter((snapshot) => snapshot.reachable)));
        return problems.length === 0 ? satisfied(undefined) : pending(problems.join('; '));
      },
      this.waitOptions(`${nodes.map((node) => node.name).join(', ')} to agree on their roles`, this.settings.joinTimeoutMs),
    );
  }

  /**
   * Waits until each replica's link is up and its offset has reached the offset its master had
   * once the link came up, so that every write acknowledged before the wait is on the replica.
   */
  async waitCaughtUp(pairs: readonly ReplicaPair[], intervalMs = this.settings.pollIntervalMs): Promise<void> {
    await Promise.all(
      pairs.map(async ({ replica, master }) => {
        const what = `${describeNode(replica)} to sync with ${describeNode(master)}`;
        await waitFor(
          async () => {
            const info = await this.replication(replica);
            if (info.role !== 'replica' || info.masterAddress !== formatAddress(master)) {
              return pending(`${describeNode(replica)} replicates ${info.masterAddress ?? 'nothing'} as ${info.role}`);
            }
            return info.masterLinkUp && !info.syncInProgress ? satisfied(undefined) : pending('link down or full sync in progress');
          },
          this.waitOptions(what, this.settings.syncTimeoutMs, intervalMs),
        );
        const target = (await this.replication(master)).masterReplOffset;
        await waitFor(
          async () => {
            const info = await this.replication(replica);
            const offset = info.replicaOffset ?? -1;
            return info.masterLinkUp && offset >= target
              ? satisfied(undefined)
              : pending(`replica offset ${offset}, master offset ${target}, link ${info.masterLinkUp ? 'up' : 'down'}`);
          },
          this.waitOptions(what, this.settings.syncTimeoutMs, intervalMs),
        );
      }),
    );
  }

  /**
   * `CLUSTER FAILOVER TAKEOVER`: the replica claims its master's slots without asking anyone,
   * which is what makes the failover fast when the masters are known to be gone. Confirmed with
   * `ROLE`, and sent again when the promotion does not show.
   */
  async takeover(node: NamedNode, knownId?: string, seenAsReplica = false): Promise<Promotion> {
    const started = performance.now();
    const nodeId = knownId ?? (await this.myId(node));
    for (let attempt = 1; attempt <= this.settings.takeoverAttempts; attempt++) {
      // A node just seen as a replica needs no look before the first command: one round trip less per takeover.
      if (!(attempt === 1 && seenAsReplica) && (await this.role(node)) === 'master') {
        return { node, nodeId, attempts: attempt - 1, tookMs: performance.now() - started };
      }
      // The node promotes itself within the command, so a ROLE sent right behind it on the same
      // connection already answers master: the command and its confirmation take one round trip.
      const [, roleAfter] = await Promise.all([
        this.redis.command(node, 'CLUSTER', 'FAILOVER', 'TAKEOVER'),
        this.role(node).catch(() => undefined),
      ]);
      if (roleAfter === 'master') {
        return { node, nodeId, attempts: attempt, tookMs: performance.now() - started };
      }
      try {
        await waitFor(
          async () => ((await this.role(node)) === 'master' ? satisfied(undefined) : pending('ROLE still answers slave')),
          this.waitOptions(`${describeNode(node)} to become master`, this.settings.promoteTimeoutMs, 2),
        );
        return { node, nodeId, attempts: attempt, tookMs: performance.now() - started };
      } catch (error) {
        if (attempt === this.settings.takeoverAttempts) {
          throw new PromotionFailedError(
            `${describeNode(node)} did not become master after ${attempt} CLUSTER FAILOVER TAKEOVER attempts: ${errorMessage(error)}`,
            error,
          );
        }
      }
    }
    throw new Error('unreachable');
  }

  /**
   * What a standby shows of itself before its takeover (see `takeoverRefusal`), in one round
   * trip: the two commands go out together on the node's one connection.
   */
  async takeoverLook(node: NamedNode): Promise<TakeoverLook> {
    const [entries, info] = await Promise.all([this.entries(node), this.clusterInfo(node)]);
    return { self: entries.find((entry) => entry.myself), currentEpoch: currentEpochOf(info) };
  }

  /**
   * Takes over with every replica at once, each checked first to be the node recorded, to still
   * replicate the master it is meant to replace (see `takeoverRefusal`) and to know the highest
   * epoch the others know (see `waitEpochsHeard`). `looks`, each node's `takeoverLook` in the
   * order of `nodes`, may come from the caller, who took them alongside checks of its own; one
   * look at every node at once serves all three checks, so that the whole takes one round trip
   * before the commands and one for the commands, however many standbys there are.
   */
  async takeoverAll(
    nodes: readonly { node: NamedNode; id: string; masterId: string }[],
    looks?: readonly TakeoverLook[],
  ): Promise<Promotion[]> {
    const seen = looks ?? (await Promise.all(nodes.map(({ node }) => this.takeoverLook(node))));
    const refusals = nodes
      .map(({ node, id, masterId }, index) => takeoverRefusal({ name: describeNode(node), id, masterId }, seen[index]!))
      .filter((refusal) => refusal !== undefined);
    if (refusals.length > 0) {
      throw new ClusterStateError(refusals.join('; '));
    }
    const takers = nodes.map(({ node }) => node);
    await this.waitEpochsHeard(takers, takers, new Map(takers.map((node, index) => [node, seen[index]!.currentEpoch])));
    return Promise.all(nodes.map(({ node, id }, index) => this.takeover(node, id, seen[index]!.self?.role === 'replica')));
  }

  /**
   * Waits until every taker's current epoch is the highest any of the peers reports. Redis settles
   * two masters holding the same config epoch (as parallel takeovers leave them) later, through
   * ordinary gossip; a node that has not heard of the new epoch yet would take over with an epoch
   * no higher than another node's view of the dead owner, and that node would keep the slots with
   * the dead owner and make the taker give them up: the slots stay down. Seen once in 40 soak
   * cycles as B1 reporting `cluster_state:fail` for 15 s after B2's takeover.
   */
  async waitEpochsHeard(
    takers: readonly NamedNode[],
    peers: readonly NamedNode[],
    /** Epochs just read, which the first look uses instead of asking again. */
    known: ReadonlyMap<NamedNode, number> = new Map(),
  ): Promise<void> {
    const everyone = [...new Set([...takers, ...peers])];
    let unused = known;
    await waitFor(
      async () => {
        const given = unused;
        unused = new Map();
        const epochs = await Promise.all(
          everyone.map(async (node) => ({ node, currentEpoch: given.get(node) ?? currentEpochOf(await this.clusterInfo(node)) })),
        );
        const named = epochs.map(({ node, currentEpoch }) => ({ name: node.name, currentEpoch }));
        const lagging = epochLaggards(
          named.filter((_, index) => takers.includes(epochs[index]!.node)),
          named,
        );
        return lagging.length === 0 ? satisfied(undefined) : pending(lagging.join('; '));
      },
      this.waitOptions(`${takers.map((node) => node.name).join(', ')} to hear of the highest epoch`, this.settings.joinTimeoutMs, 2),
    );
  }

  /**
   * Hands a master's slots to its replica without losing an acknowledged write, by the protocol of
   * a coordinated `CLUSTER FAILOVER` run from here: writes paused on the master, the replica
   * caught up, `TAKEOVER`, the master released once it has become a replica. Redis's own
   * coordinated failover needs an election, and masters refuse to vote about the same master twice
   * within 2 × cluster-node-timeout: in back-to-back drills it could not be won, and telling a
   * refused election from a slow one cost 500 ms of held writes. The paused takeover needs no
   * vote, so it never waits for one; while writes are held, every look is a few milliseconds apart.
   */
  async handOver(
    replica: NamedNode,
    master: NamedNode,
    /** The other live nodes of the cluster, whose view of the epochs the takeover must beat. */
    peers: readonly NamedNode[],
  ): Promise<{ method: 'paused-takeover'; tookMs: number }> {
    const started = performance.now();
    if ((await this.role(replica)) !== 'master') {
      await this.waitEpochsHeard([replica], peers);
      await this.pausedTakeover(replica, master);
    }
    return { method: 'paused-takeover', tookMs: performance.now() - started };
  }

  private async pausedTakeover(replica: NamedNode, master: NamedNode): Promise<void> {
    const replicaId = await this.myId(replica);
    await this.pauseWrites(master, this.settings.syncTimeoutMs);
    try {
      await this.waitCaughtUp([{ replica, master }], HELD_WRITES_POLL_MS);
      await this.takeover(replica, replicaId);
      await waitFor(
        async () =>
          (await this.role(master)) === 'slave' ? satisfied(undefined) : pending(`${describeNode(master)} still answers ROLE master`),
        this.waitOptions(
          `${describeNode(master)} to become a replica of ${describeNode(replica)}`,
          this.settings.servingTimeoutMs,
          HELD_WRITES_POLL_MS,
        ),
      );
    } finally {
      await this.redis.command(master, 'CLIENT', 'UNPAUSE');
    }
  }

  async configGet(node: NamedNode, key: string): Promise<string | undefined> {
    const reply = (await this.redis.command(node, 'CONFIG', 'GET', key)) as string[];
    return reply[1];
  }

  async configSet(node: NamedNode, key: string, value: string): Promise<void> {
    await this.redis.command(node, 'CONFIG', 'SET', key, value);
  }

  /**
   * Gives nodes the target's credentials for their own connections to a master (`masteruser`,
   * `masterauth`): a node restarted with an empty config knows none, and a replica that cannot
   * authenticate never syncs. Nodes of a target without credentials are left as they are.
   */
  async shareReplicationAuth(nodes: readonly NamedNode[]): Promise<void> {
    await Promise.all(
      nodes.map(async (node) => {
        const credentials = this.redis.security(node)?.credentials;
        if (!credentials) {
          return;
        }
        if (credentials.username !== undefined) {
          await this.redis.command(node, 'CONFIG', 'SET', 'masteruser', credentials.username);
        }
        await this.redis.command(node, 'CONFIG', 'SET', 'masterauth', credentials.password);
      }),
    );
  }

  /**
   * The permissions the node's ACL user lacks, of those given. Each command is queued inside a
   * `MULTI` that is then discarded: Redis checks a queued command's ACL (command and keys) and
   * answers `NOPERM` at once, but runs nothing. A user without `MULTI` lacks that too.
   */
  async missingPermissions(node: NamedNode, checks: readonly PermissionCheck[]): Promise<string[]> {
    const pipeline = (await this.redis.client(node)).pipeline();
    pipeline.call('MULTI');
    for (const { command } of checks) {
      pipeline.call(command[0], ...command.slice(1));
    }
    pipeline.call('DISCARD');
    const replies = (await pipeline.exec()) ?? [];
    const refused = (index: number) => /^NOPERM/.test(replies[index]?.[0]?.message ?? '');
    if (refused(0)) {
      return ['multi'];
    }
    return checks.filter((_, index) => refused(index + 1)).map((check) => check.permission);
  }

  /** Holds every client write on a master for up to `ms` (`CLIENT PAUSE … WRITE`); reads go on. */
  async pauseWrites(master: NamedNode, ms: number): Promise<void> {
    await this.redis.command(master, 'CLIENT', 'PAUSE', ms, 'WRITE');
  }

  /** Empties a node's keyspace; a node must hold no keys before it can be made a replica. */
  async flushAll(node: NamedNode): Promise<void> {
    await this.redis.command(node, 'FLUSHALL');
  }

  /**
   * `CLUSTER RESET HARD`: the node forgets every other node, drops its slots and data, and takes
   * a new id, becoming an empty node that knows no cluster.
   */
  async resetHard(node: NamedNode): Promise<void> {
    await this.redis.command(node, 'CLUSTER', 'RESET', 'HARD');
  }

  /** Waits until each node answers a command. */
  async waitAnswering(nodes: readonly NamedNode[], timeoutMs = this.settings.joinTimeoutMs): Promise<void> {
    await waitFor(
      async () => {
        const silent = (
          await Promise.all(
            nodes.map((node) =>
              this.keyCount(node).then(
                () => undefined,
                () => node.name,
              ),
            ),
          )
        ).filter((name): name is string => name !== undefined);
        return silent.length === 0 ? satisfied(undefined) : pending(`no answer yet from ${silent.join(', ')}`);
      },
      this.waitOptions(`${nodes.map((node) => node.name).join(', ')} to answer`, timeoutMs, 20),
    );
  }

  /**
   * Waits until the takers serve every slot, as `waitServing` does. A node that still gives a
   * replaced master's slots to it after `claimsHeardWithinMs` has not taken that takeover in:
   * its taker's epoch is raised (`CLUSTER BUMPEPOCH`), so that its claim beats any epoch a view
   * holds for the old owner, and the node is told the new owner of those slots
   * (`CLUSTER SETSLOT … NODE`), which is what every other node already holds. Answers each
   * correction made, for the drill to record; none in the common case.
   */
  async waitTakeoversHeard(takers: readonly { node: NamedNode; id: string; replacedId: string }[]): Promise<ClaimCorrection[]> {
    const nodes = takers.map(({ node }) => node);
    const survivors = takers.map(({ id }) => id);
    const started = performance.now();
    const firstLook = Math.min(this.settings.claimsHeardWithinMs, this.settings.servingTimeoutMs);
    try {
      await this.waitServedBy(nodes, survivors, 2, firstLook);
      return [];
    } catch (error) {
      if (!(error instanceof WaitTimeoutError) || firstLook >= this.settings.servingTimeoutMs) {
        throw error;
      }
    }
    const described = takers.map(({ node, id, replacedId }) => ({ name: node.name, id, replacedId }));
    const stale = (
      await Promise.all(nodes.map(async (view) => staleClaims(await this.entries(view), described).map((claim) => ({ view, claim }))))
    ).flat();
    const bumped = new Map(
      await Promise.all(
        [...new Set(stale.map(({ claim }) => claim.taker))].map(
          async (name) =>
            [
              name,
              String(
                await this.redis.command(
                  nodes.find((node) => node.name === name)!,
                  'CLUSTER',
                  'BUMPEPOCH',
                ),
              ),
            ] as const,
        ),
      ),
    );
    const corrections = await Promise.all(
      stale.map(async ({ view, claim }) => ({
        view: view.name,
        ...claim,
        bumped: bumped.get(claim.taker)!,
        ...(await this.setSlotOwner(view, claim)),
      })),
    );
    try {
      await this.waitServedBy(nodes, survivors, 2, Math.max(this.settings.servingTimeoutMs - (performance.now() - started), 1));
    } catch (error) {
      throw corrections.length > 0
        ? new ClusterStateError(`${errorMessage(error)}; after ${describeCorrections(corrections)}`, { cause: error })
        : error;
    }
    return corrections;
  }

  /** Gives a claim's slots to its taker in one node's view; answers the node's refusal, if any. */
  private async setSlotOwner(view: NamedNode, claim: StaleClaim): Promise<{ corrected: boolean; error?: string }> {
    const pipeline = (await this.redis.client(view)).pipeline();
    for (const range of claim.slots) {
      for (let slot = range.start; slot <= range.end; slot++) {
        pipeline.call('CLUSTER', 'SETSLOT', slot, 'NODE', claim.takerId);
      }
    }
    const refused = (await pipeline.exec())?.find(([error]) => error)?.[0];
    return refused ? { corrected: false, error: `${describeNode(view)}: ${errorMessage(refused)}` } : { corrected: true };
  }

  /**
   * Waits until every given node reports `cluster_state:ok`, all slots served, and sees every
   * slot owned by one of the given nodes: the survivors serve the whole key space on their own.
   */
  async waitServing(nodes: readonly NamedNode[], intervalMs = 2, timeoutMs = this.settings.servingTimeoutMs): Promise<void> {
    await this.waitServedBy(nodes, await Promise.all(nodes.map((node) => this.myId(node))), intervalMs, timeoutMs);
  }

  /** `waitServing` for nodes whose ids are known: `ids[i]` is `nodes[i]`'s. */
  private async waitServedBy(
    nodes: readonly NamedNode[],
    nodeIds: readonly string[],
    intervalMs: number,
    timeoutMs: number,
  ): Promise<void> {
    const ids = new Set(nodeIds);
    await waitFor(
      async () => {
        // Both commands go out together on each node's connection: one round trip per look.
        const looks = await Promise.all(
          nodes.map(async (node) => {
            const [info, entries] = await Promise.all([this.clusterInfo(node), this.entries(node)]);
            return { node, info, entries };
          }),
        );
        for (const { node, info, entries } of looks) {
          if (info.get('cluster_state') !== 'ok' || Number(info.get('cluster_slots_ok')) !== SLOT_COUNT) {
            const unserved = unservedSlots(entries);
            return pending(
              `${describeNode(node)} reports cluster_state:${info.get('cluster_state')} slots_ok:${info.get('cluster_slots_ok')}` +
                (unserved ? `; ${unserved}` : ''),
            );
          }
          const owned = entries
            .filter((entry) => ids.has(entry.id) && entry.role === 'master')
            .reduce((sum, entry) => sum + slotCount(entry), 0);
          if (owned !== SLOT_COUNT) {
            return pending(`${describeNode(node)} sees ${owned} of ${SLOT_COUNT} slots on the surviving nodes`);
          }
        }
        return satisfied(undefined);
      },
      this.waitOptions(`${nodes.map((node) => node.name).join(', ')} to serve all ${SLOT_COUNT} slots`, timeoutMs, intervalMs),
    );
  }

  /**
   * Forgets dead nodes on every given node and waits until none lists them. Redis 7.0 bans a
   * forgotten id for 60 s only on the node that was told, so a node that still lists an id
   * re-teaches the others: every node is told, and told again while it still lists one.
   */
  async forget(deadIds: readonly string[], nodes: readonly NamedNode[]): Promise<{ commands: number }> {
    let commands = 0;
    const forgetListed = async (node: NamedNode): Promise<string[]> => {
      const listed = (await this.entries(node)).filter((entry) => deadIds.includes(entry.id)).map((entry) => entry.id);
      await Promise.all(
        listed.map(async (id) => {
          commands++;
          try {
            await this.redis.command(node, 'CLUSTER', 'FORGET', id);
          } catch (error) {
            // Gone between the look and the command: that is the outcome wanted.
            if (!(error instanceof ClusterCommandError && /Unknown node/i.test(error.reply ?? ''))) {
              throw error;
            }
          }
        }),
      );
      return listed;
    };
    await waitFor(
      async () => {
        const stillListed = await Promise.all(nodes.map(async (node) => ({ node, ids: await forgetListed(node) })));
        const remaining = stillListed.filter((look) => look.ids.length > 0);
        return remaining.length === 0
          ? satisfied(undefined)
          : pending(remaining.map((look) => `${describeNode(look.node)} still listed ${look.ids.length} dead node(s)`).join('; '));
      },
      this.waitOptions(`dead nodes to be forgotten on ${nodes.map((node) => node.name).join(', ')}`, this.settings.forgetTimeoutMs),
    );
    return { commands };
  }

  async healthProblems(nodes: readonly NamedNode[], expect: HealthExpectations): Promise<string[]> {
    return healthProblems(await this.snapshots(nodes), expect);
  }

  /** Waits for the health gate to turn green; the timeout error lists what was still wrong. */
  async waitHealthy(nodes: readonly NamedNode[], expect: HealthExpectations): Promise<void> {
    await waitFor(
      async () => {
        const problems = await this.healthProblems(nodes, expect);
        return problems.length === 0 ? satisfied(undefined) : pending(problems.join('; '));
      },
      this.waitOptions(`the health gate on ${nodes.map((node) => node.name).join(', ')}`, this.settings.healthTimeoutMs),
    );
  }

  private waitOptions(description: string, timeoutMs: number, intervalMs = this.settings.pollIntervalMs) {
    return { description, timeoutMs, intervalMs };
  }
}

const currentEpochOf = (clusterInfo: ReadonlyMap<string, string>): number => Number(clusterInfo.get('cluster_current_epoch'));

/** The slots `redis-cli --cluster create` gives the i-th of n masters (0-5460, 5461-10922, 10923-16383 for three). */
export function evenSlotRange(index: number, masters: number): { start: number; end: number } {
  const perMaster = SLOT_COUNT / masters;
  const start = index === 0 ? 0 : Math.round(index * perMaster - 1) + 1;
  const end = index === masters - 1 ? SLOT_COUNT - 1 : Math.round((index + 1) * perMaster - 1);
  return { start, end };
}

/** A view that had not taken a takeover in, and what was done about it. */
export interface ClaimCorrection extends StaleClaim {
  readonly view: string;
  /** `CLUSTER BUMPEPOCH`'s answer on the taker: `BUMPED <epoch>` or `STILL <epoch>`. */
  readonly bumped: string;
  readonly corrected: boolean;
  readonly error?: string;
}

function describeCorrections(corrections: readonly ClaimCorrection[]): string {
  return corrections
    .map(
      (correction) =>
        `${correction.view} still gave ${formatSlots(correction.slots)} to ${correction.staleOwnerId} (epoch ${correction.staleOwnerEpoch}), ` +
        `not to ${correction.taker} (epoch ${correction.takerEpoch ?? 'unknown: not a master in that view'}); ` +
        `${correction.taker}: ${correction.bumped}; ${correction.corrected ? 'slots given to it' : `not corrected: ${correction.error}`}`,
    )
    .join('; ');
}
