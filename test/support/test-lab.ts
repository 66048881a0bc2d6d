import { ClusterAdmin } from '../../src/cluster/cluster-admin.js';
import { ClusterKeyspace } from '../../src/cluster/cluster-keyspace.js';
import { RedisConnections } from '../../src/cluster/redis-connections.js';
import { loadConfig } from '../../src/config/app-config.js';
import { connectDocker, type Docker } from '../../src/docker/docker-engine.js';
import { ensureRedisImage } from '../../src/docker/redis-image.js';
import { Lab } from '../../src/lab/lab.js';
import { labTarget, type LabSettings } from '../../src/lab/lab-topology.js';
import type { DrillTarget } from '../../src/targets/drill-target.js';

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
  close(): Promise<void>;
}

export async function startTestLab(settings: LabSettings, options: { form: boolean }): Promise<TestLab> {
  const config = loadConfig();
  const docker = connectDocker();
  const connections = new RedisConnections();
  const admin = new ClusterAdmin(connections);
  const imageSettings = { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs };
  const lab = new Lab(docker, settings, imageSettings, admin);
  await lab.down();
  await lab.up(options);
  const { image } = await ensureRedisImage(docker, imageSettings);
  return {
    settings,
    docker,
    lab,
    admin,
    keyspace: new ClusterKeyspace(connections, admin),
    connections,
    target: labTarget(settings, 'lab'),
    image,
    close: async () => {
      await connections.closeAll();
      await lab.down();
    },
  };
}
