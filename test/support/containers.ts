import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import type { Docker } from '../../src/docker/docker-engine.js';
import { withoutFrameHeaders } from './compose-project.js';

/**
 * A Redis container that belongs to no lab, for showing that drills and lab commands leave it
 * alone. Host network, bound to 127.0.0.1 like the lab. Returns once it listens: a Redis that
 * cannot bind its port (taken since the caller chose it) exits at once, and a test that later
 * found it stopped would blame the code under test, so that case fails here with what it printed.
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
  // Its own log says it listens: a probe of the port could be answered by whoever holds it.
  const printed = async () => withoutFrameHeaders(await container.logs({ stdout: true, stderr: true, tail: 50 }));
  const outcome = await waitFor(
    async () => {
      if ((await printed()).includes('Ready to accept connections')) {
        return satisfied('listening' as const);
      }
      return (await container.inspect()).State.Running ? pending(`not listening on ${port} yet`) : satisfied('exited' as const);
    },
    { description: `the unrelated Redis ${name} to listen on ${port}`, timeoutMs: 15_000, intervalMs: 20 },
  );
  if (outcome === 'exited') {
    throw new Error(`the unrelated Redis ${name} exited instead of listening on ${port}:\n${await printed()}`);
  }
  return {
    name,
    running: async () => (await container.inspect()).State.Running,
    remove: async () => {
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
}
