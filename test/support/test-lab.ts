import { ClusterAdmin } from '../../src/cluster/cluster-admin.js';
import { ClusterKeyspace } from '../../src/cluster/cluster-keyspace.js';
import { RedisConnections } from '../../src/cluster/redis-connections.js';
import { loadConfig } from '../../src/config/app-config.js';
import { connectDocker, type Docker } from '../../src/docker/docker-engine.js';
import { labServerImageSettings, type LabServer } from '../../src/docker/lab-servers.js';
import { ensureRedisImage } from '../../src/docker/redis-image.js';
import { Lab } from '../../src/lab/lab.js';
import { labTarget, type LabSettings } from '../../src/lab/lab-topology.js';
import type { DrillTarget, TargetNode } from '../../src/targets/drill-target.js';
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

/** A lab of the default image (`REDIS_IMAGE`, else the host's Redis), or of `server` when given. */
export async function startTestLab(settings: LabSettings, options: { form: boolean; server?: LabServer }): Promise<TestLab> {
  const config = loadConfig();
  const docker = connectDocker();
  const connections = new RedisConnections();
  const admin = new ClusterAdmin(connections);
  const imageSettings = options.server
    ? labServerImageSettings(options.server, config.imagePullTimeoutMs, config.debianMirror)
    : { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs };
  const lab = new Lab(docker, settings, imageSettings, admin);
  await lab.down();
  await lab.up(options);
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
