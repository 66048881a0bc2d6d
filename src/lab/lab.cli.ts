import { parseArgs } from 'node:util';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { RedisConnections } from '../cluster/redis-connections.js';
import type { StandbyLayout } from '../cluster/standby-group.js';
import { loadConfig } from '../config/app-config.js';
import { connectDocker } from '../docker/docker-engine.js';
import { Lab } from './lab.js';

const LAYOUTS: readonly StandbyLayout[] = ['attached', 'prewired', 'separate'];

const USAGE = `usage: npm run lab -- <command> [options]
  up       create and start the lab's containers and, on empty nodes, form cluster A with group B beside it
  reset    recreate the twelve cluster nodes from nothing and form them again (the queue Redis stays)
  status   show every container and what its node says of itself
  down     remove every container labelled as this lab's
options:
  --bare               (up) start the containers only, every node empty
  --layout <layout>    (up, reset) how group B stands beside cluster A:
                         attached   B1–B3 replicate A1–A3, B4–B6 empty (default; group-failover, failover-and-failback)
                         prewired   the same, with B4–B6 replicating B1–B3 (prewired-standby)
                         separate   B is a cluster of its own (backup-restore)`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { bare: { type: 'boolean' }, layout: { type: 'string' } } });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  const layout = (parsed.values.layout ?? 'attached') as StandbyLayout;
  if (!LAYOUTS.includes(layout)) {
    console.error(`--layout must be one of ${LAYOUTS.join(', ')}, got ${JSON.stringify(parsed.values.layout)}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const connections = new RedisConnections();
  const lab = new Lab(
    connectDocker(),
    config.lab,
    { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs },
    new ClusterAdmin(connections),
    (line) => console.log(`lab ${config.lab.name}: ${line}`),
  );
  try {
    switch (command) {
      case 'up': {
        const outcome = await lab.up({ form: !parsed.values.bare, layout });
        console.log(`lab ${config.lab.name} is up (${outcome}); queue Redis at 127.0.0.1:${config.lab.basePort}`);
        return 0;
      }
      case 'reset':
        await lab.reset(layout);
        console.log(`lab ${config.lab.name} reset: cluster A serving, group B ${layout}`);
        return 0;
      case 'down':
        console.log(`lab ${config.lab.name}: removed ${await lab.down()} container(s)`);
        return 0;
      case 'status':
        console.table(await lab.status());
        return 0;
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await connections.closeAll();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
