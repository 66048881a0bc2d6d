import { createServer, type Server } from 'node:net';
import { LAB_HOST, labContainers, type LabSettings } from '../../src/lab/lab-topology.js';

/** Redis Cluster's bus listens this far above each node's port. */
const CLUSTER_BUS_OFFSET = 10_000;
/**
 * Bases are drawn from here: above the ports people configure by hand (the lab's default is 7000)
 * and low enough that bus ports stay under Linux's ephemeral range (32768 and up), where a
 * client's outgoing connection could take one between the check and the container's start.
 */
const LOWEST_BASE = 10_000;
const HIGHEST_PORT = 32_767;
const ATTEMPTS = 50;

/** A lab of this name (and shape, the seed's unless given) on ports nothing listens on now: every node's port, its bus port and the queue's. */
export function freeLab(name: string, shape: Pick<LabSettings, 'shards' | 'replicasPerMaster'> = {}): Promise<LabSettings> {
  return freeBase((basePort) =>
    labContainers({ name, basePort, ...shape }).flatMap((container) =>
      container.role === 'node' ? [container.port, container.port + CLUSTER_BUS_OFFSET] : [container.port],
    ),
  ).then((basePort) => ({ name, basePort, ...shape }));
}

/** The first of `count` consecutive ports nothing listens on now, for Redis servers outside a lab. */
export function freePortBlock(count: number): Promise<number> {
  return freeBase((base) => Array.from({ length: count }, (_, index) => base + index));
}

/**
 * A base whose ports can all be bound at once, tried at random so that files running side by side
 * rarely try the same one; the ports are released at once, so a test starts its servers right after.
 */
async function freeBase(portsFor: (base: number) => number[]): Promise<number> {
  const span = Math.max(...portsFor(0)) + 1;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const base = LOWEST_BASE + Math.floor(Math.random() * (HIGHEST_PORT - span - LOWEST_BASE));
    if (await allFree(portsFor(base))) {
      return base;
    }
  }
  throw new Error(`no free block of ${span} ports found on ${LAB_HOST} in ${ATTEMPTS} attempts`);
}

async function allFree(ports: number[]): Promise<boolean> {
  const servers = (await Promise.all(ports.map((port) => bind(port)))).filter((server) => server !== undefined);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return servers.length === ports.length;
}

function bind(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: LAB_HOST, exclusive: true }, () => resolve(server));
  });
}
