import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { RedisConnections } from '../cluster/redis-connections.js';
import { loadConfig } from '../config/app-config.js';
import { connectDocker } from '../docker/docker-engine.js';
import { Lab } from './lab.js';

const USAGE = `usage: npm run lab -- <command>
  up       create and start the lab's containers, and form cluster A with B1–B3 attached
  up --bare  create and start the containers only, with every node empty
  reset    recreate the twelve cluster nodes from nothing and form them again
  status   show every container and what its node says of itself
  down     remove every container labelled as this lab's`;

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
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
        const unknown = flags.filter((flag) => flag !== '--bare');
        if (unknown.length > 0) {
          console.error(`unknown option ${unknown[0]}\n${USAGE}`);
          return 2;
        }
        const outcome = await lab.up({ form: !flags.includes('--bare') });
        console.log(`lab ${config.lab.name} is up (${outcome}); queue Redis at 127.0.0.1:${config.lab.basePort}`);
        return 0;
      }
      case 'reset':
        await lab.reset();
        console.log(`lab ${config.lab.name} reset: cluster A serving, B1–B3 attached`);
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
