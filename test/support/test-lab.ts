import { ClusterAdmin, DEFAULT_CLUSTER_ADMIN_SETTINGS, type ClusterAdminSettings } from '../../src/cluster/cluster-admin.js';
import { ClusterKeyspace } from '../../src/cluster/cluster-keyspace.js';
import { RedisConnections } from '../../src/cluster/redis-connections.js';
import type { RedisSecurity } from '../../src/cluster/redis-security.js';
import { loadConfig } from '../../src/config/app-config.js';
import { connectDocker, type Docker } from '../../src/docker/docker-engine.js';
import { labServerImageSettings, type LabServer } from '../../src/docker/lab-servers.js';
import { ensureRedisImage } from '../../src/docker/redis-image.js';
import { Lab } from '../../src/lab/lab.js';
import { labTarget, type LabSettings } from '../../src/lab/lab-topology.js';
import { targetNodes, type DrillTarget, type TargetNode } from '../../src/targets/drill-target.js';
import { formatAddress } from '../../src/cluster/node-address.js';
import { canaries } from '../../src/drills/canaries.js';

/** Canary keys a drill writes with the service's defaults: one per slot. */
const CANARY_KEYS = 16384;

/** A lab of its own for one test file: its own name, ports and label, removed afterwards. */
export interface TestLab {
  readonly settings: LabSettings;
  readonly docker: Docker;
  readonly lab: Lab;
  readonly admin: ClusterAdmin;
  readonly keyspace: ClusterKeyspace;
  readonly connections: RedisConnections;
  readonly target: DrillTarget;
  readonly image: string;
  /** The keys of a drill's canaries that these nodes do not hold with the drill's value (every slot's, as drills write them). */
  missingCanaries(drillId: string, nodes: readonly TargetNode[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Brings a test lab up, of the default image (`REDIS_IMAGE`, else the host's Redis) or of `server`
 * when given. A lab with `settings.security` needs `connection`: the credentials and TLS material
 * the lab itself (and this lab's `admin`) uses to form and check the cluster.
 */
export async function startTestLab(
  settings: LabSettings,
  options: { form: boolean; server?: LabServer; connection?: RedisSecurity; admin?: Partial<ClusterAdminSettings> },
): Promise<TestLab> {
  const config = loadConfig();
  const docker = connectDocker();
  // The queue Redis stays plain: only the cluster nodes are secured.
  const secured = new Set(targetNodes(labTarget(settings)).map(formatAddress));
  const connections = new RedisConnections({}, (address) => (secured.has(formatAddress(address)) ? options.connection : undefined));
  const admin = new ClusterAdmin(connections, { ...DEFAULT_CLUSTER_ADMIN_SETTINGS, ...options.admin });
  const imageSettings = options.server
    ? labServerImageSettings(options.server, config.imagePullTimeoutMs, config.debianMirror)
    : { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs };
  const lab = new Lab(docker, settings, imageSettings, admin);
  await lab.down();
  await lab.up({ form: options.form });
  const { image } = await ensureRedisImage(docker, imageSettings);
  const keyspace = new ClusterKeyspace(connections, admin);
  return {
    settings,
    docker,
    lab,
    admin,
    keyspace,
    connections,
    target: labTarget(settings, 'lab'),
    image,
    missingCanaries: async (drillId, nodes) => {
      const expected = canaries(drillId, CANARY_KEYS);
      const found = await keyspace.read(
        nodes,
        expected.map((canary) => canary.key),
      );
      return expected.filter((canary) => found.get(canary.key) !== canary.value).map((canary) => canary.key);
    },
    close: async () => {
      await connections.closeAll();
      await lab.down();
    },
  };
}
