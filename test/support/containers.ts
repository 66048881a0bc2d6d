import type { Docker } from '../../src/docker/docker-engine.js';

/**
 * A Redis container that belongs to no lab, for showing that drills and lab commands leave it
 * alone. Host network, bound to 127.0.0.1 like the lab.
 */
export async function startUnrelatedRedis(
  docker: Docker,
  image: string,
  name: string,
  port: number,
  labels: Record<string, string> = {},
): Promise<{ name: string; running(): Promise<boolean>; remove(): Promise<void> }> {
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', ''],
    Labels: labels,
    HostConfig: { NetworkMode: 'host' },
  });
  await container.start();
  return {
    name,
    running: async () => (await container.inspect()).State.Running,
    remove: async () => {
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
}
