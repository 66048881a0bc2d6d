import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import { formStandbyGroup, type StandbyLayout } from '../cluster/standby-group.js';
import { slotCount } from '../cluster/cluster-nodes.parser.js';
import type { NamedNode } from '../cluster/node-snapshot.js';
import { errorMessage } from '../common/app-error.js';
import { isNotFound, type Docker } from '../docker/docker-engine.js';
import { ensureRedisImage, type RedisImageSettings } from '../docker/redis-image.js';
import { failoverLayout, type DrillTarget } from '../targets/drill-target.js';
import {
  LAB_CLUSTER_CONFIG_FILE,
  LAB_HOST,
  LAB_LABEL,
  LAB_PORT_LABEL,
  LAB_ROLE_LABEL,
  LAB_TLS_DIR,
  labContainers,
  labTarget,
  type LabContainer,
  type LabSecurity,
  type LabSettings,
} from './lab-topology.js';

export interface LabStatusRow {
  readonly container: string;
  readonly port: number;
  readonly state: 'running' | 'stopped' | 'missing';
  /** For running cluster nodes: what the node says of itself. */
  readonly role?: string;
  readonly masterOf?: string;
  readonly slots?: number;
  readonly keys?: number;
  readonly error?: string;
}

const START_TIMEOUT_MS = 20_000;

/**
 * The lab: group A and group B in the settings' shape (the seed's twelve Redis nodes unless told
 * otherwise) and a queue Redis as host-network containers bound to
 * 127.0.0.1, all labelled as this lab's. Only containers carrying the label are ever removed.
 */
export class Lab {
  constructor(
    private readonly docker: Docker,
    readonly settings: LabSettings,
    private readonly imageSettings: RedisImageSettings,
    private readonly admin: ClusterAdmin,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /**
   * Creates and starts what is missing, waits for every node to answer, and, when every node is
   * empty, forms the starting layout: cluster A, and B1–B3 replicating A's masters.
   */
  async up(options: { form: boolean; layout?: StandbyLayout } = { form: true }): Promise<'formed' | 'left-as-is' | 'bare'> {
    const { image, source } = await ensureRedisImage(this.docker, this.imageSettings, this.log);
    this.log(`image ${image} (${source})`);
    const containers = labContainers(this.settings);
    await Promise.all(containers.map((container) => this.ensureRunning(container, image)));
    await this.admin.waitAnswering(
      containers.map((container) => ({ name: container.containerName, host: LAB_HOST, port: container.port })),
      START_TIMEOUT_MS,
    );
    const nodes = nodesOf(containers);
    // Nodes with ACL users need credentials for their replication links; these are the lab's own.
    await this.admin.shareReplicationAuth(nodes);
    if (!options.form) {
      return 'bare';
    }
    const emptiness = await Promise.all(
      nodes.map((node) =>
        this.admin.assertEmpty(node).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!emptiness.every(Boolean)) {
      this.log('nodes already hold cluster state; leaving them as they are (reset rebuilds them)');
      return 'left-as-is';
    }
    await this.form(options.layout);
    return 'formed';
  }

  /**
   * The seed's steps 2 and 4: create cluster A, then put group B beside it in the given layout
   * (by default B's standbys attached as replicas of A's masters, its spares empty).
   */
  async form(layout: StandbyLayout = 'attached'): Promise<void> {
    const started = performance.now();
    await formStartingLayout(this.admin, labTarget(this.settings), layout);
    this.log(`cluster A formed and group B ${layout} in ${Math.round(performance.now() - started)} ms`);
  }

  /** Removes every container labelled as this lab's; returns how many. */
  async down(): Promise<number> {
    return this.removeLabelled([`${LAB_LABEL}=${this.settings.name}`]);
  }

  /** Recreates the cluster nodes from nothing and forms them again; the queue Redis stays. */
  async reset(layout: StandbyLayout = 'attached'): Promise<void> {
    await this.removeLabelled([`${LAB_LABEL}=${this.settings.name}`, `${LAB_ROLE_LABEL}=node`]);
    await this.up({ form: true, layout });
  }

  async status(): Promise<LabStatusRow[]> {
    const containers = labContainers(this.settings);
    const ids = new Map<string, string>();
    const rows = await Promise.all(
      containers.map(async (container): Promise<LabStatusRow> => {
        const state = await this.containerState(container.containerName);
        const row = { container: container.containerName, port: container.port, state };
        if (state !== 'running' || container.role !== 'node') {
          return row;
        }
        const node = { name: container.containerName, host: LAB_HOST, port: container.port };
        try {
          const [entries, keys] = await Promise.all([this.admin.entries(node), this.admin.keyCount(node)]);
          const self = entries.find((entry) => entry.myself)!;
          ids.set(self.id, container.node!.name);
          return { ...row, role: self.role, masterOf: self.masterId, slots: slotCount(self), keys };
        } catch (error) {
          return { ...row, error: errorMessage(error) };
        }
      }),
    );
    return rows.map((row) => (row.masterOf ? { ...row, masterOf: ids.get(row.masterOf) ?? row.masterOf.slice(0, 8) } : row));
  }

  private async ensureRunning(container: LabContainer, image: string): Promise<void> {
    let info;
    try {
      info = await this.docker.getContainer(container.containerName).inspect();
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
      const created = await this.docker.createContainer({
        name: container.containerName,
        Image: image,
        Cmd: redisArguments(container, this.settings.security),
        Labels: {
          [LAB_LABEL]: this.settings.name,
          [LAB_ROLE_LABEL]: container.role,
          [LAB_PORT_LABEL]: String(container.port),
        },
        HostConfig: {
          NetworkMode: 'host',
          RestartPolicy: { Name: 'no' },
          ...(container.role === 'node' && this.settings.security?.tlsDirectory
            ? { Binds: [`${this.settings.security.tlsDirectory}:${LAB_TLS_DIR}:ro`] }
            : {}),
        },
      });
      await created.start();
      return;
    }
    const labels = info.Config.Labels ?? {};
    if (labels[LAB_LABEL] !== this.settings.name) {
      throw new Error(
        `a container named ${container.containerName} exists and is not part of lab ${this.settings.name}; refusing to touch it`,
      );
    }
    if (labels[LAB_PORT_LABEL] !== String(container.port)) {
      throw new Error(
        `${container.containerName} was created for port ${labels[LAB_PORT_LABEL]}, not ${container.port}; run "npm run lab -- down" first`,
      );
    }
    // A lab asked for on another server must not quietly keep the one it runs.
    if (container.role === 'node' && info.Config.Image !== image) {
      throw new Error(
        `${container.containerName} runs ${info.Config.Image}, not ${image}; run "npm run lab -- reset" with the server wanted, or "down" first`,
      );
    }
    if (!info.State.Running) {
      await this.docker.getContainer(info.Id).start();
    }
  }

  private async containerState(name: string): Promise<LabStatusRow['state']> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      return info.Config.Labels?.[LAB_LABEL] === this.settings.name && info.State.Running ? 'running' : 'stopped';
    } catch (error) {
      if (isNotFound(error)) {
        return 'missing';
      }
      throw error;
    }
  }

  private async removeLabelled(labels: string[]): Promise<number> {
    const listed = await this.docker.listContainers({ all: true, filters: { label: labels } });
    await Promise.all(listed.map((container) => this.docker.getContainer(container.Id).remove({ force: true })));
    return listed.length;
  }
}

/**
 * Forms a target's empty nodes into the seed's starting layout: cluster A, then group B beside it
 * in the given layout, and waits for the health gate. Wherever the nodes live: the lab's loopback
 * ports or container addresses on a bridge network.
 */
export async function formStartingLayout(admin: ClusterAdmin, target: DrillTarget, layout: StandbyLayout = 'attached'): Promise<void> {
  const failover = failoverLayout(target, 'A');
  await admin.createCluster(failover.servingMasters, failover.servingReplicas);
  await formStandbyGroup(admin, failover, layout);
  const serving = [...failover.servingMasters, ...failover.servingReplicas];
  await admin.waitHealthy(layout === 'separate' ? serving : [...serving, ...failover.standbys], {
    masters: failover.servingMasters.length,
    replicasPerMaster: failover.replicasPerMaster + (layout === 'separate' ? 0 : 1),
    maxReplicaLagBytes: 0,
  });
}

function nodesOf(containers: readonly LabContainer[]): NamedNode[] {
  return containers.flatMap((container) => (container.node ? [container.node] : []));
}

/**
 * The lab's Redis settings. A diskless sync with no delay lets a replica sync in tens of
 * milliseconds. A secured lab's nodes get their users and TLS here; the queue Redis stays plain.
 * The lab binds to loopback; a container on a bridge network of its own binds to every address of
 * its own, where Redis's protected mode would refuse the other containers and the host.
 */
export function redisArguments(container: LabContainer, security: LabSecurity = {}, bind: 'loopback' | 'container' = 'loopback'): string[] {
  const tls = container.role === 'node' && security.tlsDirectory !== undefined;
  const common = [
    'redis-server',
    ...(tls ? ['--port', '0', '--tls-port'] : ['--port']),
    String(container.port),
    ...(bind === 'loopback' ? ['--bind', LAB_HOST] : ['--bind', '0.0.0.0', '--protected-mode', 'no']),
    '--save',
    '',
  ];
  if (container.role === 'queue') {
    // BullMQ needs keys never to be evicted, and jobs that outlive a restart of their Redis: an
    // append-only file written every second (BullMQ's own advice for production).
    return [...common, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];
  }
  return [
    ...common,
    '--appendonly',
    'no',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    LAB_CLUSTER_CONFIG_FILE,
    '--cluster-node-timeout',
    '5000',
    '--repl-diskless-sync',
    'yes',
    '--repl-diskless-sync-delay',
    '0',
    ...(tls
      ? [
          ...['--tls-cert-file', `${LAB_TLS_DIR}/node.crt`, '--tls-key-file', `${LAB_TLS_DIR}/node.key`],
          ...['--tls-ca-cert-file', `${LAB_TLS_DIR}/ca.crt`, '--tls-cluster', 'yes', '--tls-replication', 'yes'],
        ]
      : []),
    // Each directive's words are separate arguments: Redis quotes an argument that holds spaces.
    ...(security.users ?? []).flatMap((words) => ['--user', ...words]),
    ...(security.users?.length ? ['--user', 'default', 'off'] : []),
  ];
}
