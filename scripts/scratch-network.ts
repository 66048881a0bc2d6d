import type { ClusterAdmin } from '../src/cluster/cluster-admin.js';
import { isNotFound, type Docker } from '../src/docker/docker-engine.js';
import { formStartingLayout, redisArguments } from '../src/lab/lab.js';
import { targetsFileEntry, type TargetsFileEntry } from '../src/lab/lab-targets-entry.js';
import { LAB_CLUSTER_CONFIG_FILE, LAB_DATA_DIR } from '../src/lab/lab-topology.js';
import type { DrillTarget, TargetNode } from '../src/targets/drill-target.js';

/** Carried by the network and every container started on it: what `remove` takes away. */
const NETWORK_LABEL = 'io.redis-drill.scratch-network';
/** Carried by one target's nodes: the label its drills check before they act on a container. */
const TARGET_LABEL = 'io.redis-drill.scratch-network.target';
const REDIS_PORT = 6379;
const START_TIMEOUT_MS = 20_000;

/**
 * A Docker bridge network that a script (`make demo-ha`, `npm run bench:takeover`) creates for its
 * run and removes at the end, and what runs on it: a queue's Redis and targets' nodes, every one at
 * its container address, which the script and the service reach from the host. Nothing of it is
 * on the host's network, and `remove` leaves nothing behind.
 */
export class ScratchNetwork {
  constructor(
    private readonly docker: Docker,
    readonly name: string,
    private readonly image: string,
  ) {}

  /** Removes what an interrupted run may have left, then creates the network. */
  async create(): Promise<void> {
    await this.remove();
    await this.docker.createNetwork({ Name: this.name, Driver: 'bridge', Labels: { [NETWORK_LABEL]: this.name } });
  }

  /** The queue's Redis; answers its URL. */
  async startQueue(): Promise<string> {
    const containerName = `${this.name}-queue`;
    const host = await this.start(containerName, redisArguments({ containerName, port: REDIS_PORT, role: 'queue' }, {}, 'container'));
    return `redis://${host}:${REDIS_PORT}`;
  }

  /**
   * A target of the smallest shape that is a real failover, formed into the seed's starting
   * layout: a master and its replica (group A), a standby replicating the master and a spare
   * (group B). Answers its entry for the targets file.
   */
  async startTarget(targetName: string, admin: ClusterAdmin): Promise<TargetsFileEntry> {
    const label = `${this.name}-${targetName}`;
    const nodes = await Promise.all(
      ['a1', 'a2', 'b1', 'b2'].map(async (name): Promise<TargetNode> => {
        const containerName = `${label}-${name}`;
        const command = redisArguments({ containerName, port: REDIS_PORT, role: 'node' }, {}, 'container');
        const host = await this.start(containerName, command, { [TARGET_LABEL]: label });
        return { name, group: name.startsWith('a') ? 'A' : 'B', host, port: REDIS_PORT, containerName };
      }),
    );
    const target: DrillTarget = {
      name: targetName,
      replicasPerMaster: 1,
      containerLabel: { key: TARGET_LABEL, value: label },
      clusterConfigFile: `${LAB_DATA_DIR}/${LAB_CLUSTER_CONFIG_FILE}`,
      groups: { A: nodes.filter((node) => node.group === 'A'), B: nodes.filter((node) => node.group === 'B') },
    };
    await admin.waitAnswering(nodes, START_TIMEOUT_MS);
    await formStartingLayout(admin, target);
    return targetsFileEntry(target);
  }

  /** Every container carrying the network's label, then the network; refuses a network of that name that no script created. */
  async remove(): Promise<void> {
    const listed = await this.docker.listContainers({ all: true, filters: { label: [`${NETWORK_LABEL}=${this.name}`] } });
    await Promise.all(listed.map((container) => this.docker.getContainer(container.Id).remove({ force: true })));
    const network = this.docker.getNetwork(this.name);
    let labels: Record<string, string> | undefined;
    try {
      labels = ((await network.inspect()) as { Labels?: Record<string, string> }).Labels;
    } catch (error) {
      if (isNotFound(error)) {
        return;
      }
      throw error;
    }
    if (labels?.[NETWORK_LABEL] !== this.name) {
      throw new Error(`a Docker network named ${this.name} exists and was not created by this script; refusing to touch it`);
    }
    await network.remove();
  }

  /** Starts a container on the network; answers its address there. */
  private async start(containerName: string, command: string[], labels: Record<string, string> = {}): Promise<string> {
    const container = await this.docker.createContainer({
      name: containerName,
      Image: this.image,
      Cmd: command,
      Labels: { [NETWORK_LABEL]: this.name, ...labels },
      HostConfig: { NetworkMode: this.name, RestartPolicy: { Name: 'no' } },
    });
    await container.start();
    const address = (await container.inspect()).NetworkSettings.Networks[this.name]?.IPAddress;
    if (!address) {
      throw new Error(`${containerName} has no address on the network ${this.name}`);
    }
    return address;
  }
}
