import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { RedisConnections } from '../cluster/redis-connections.js';
import type { StandbyLayout } from '../cluster/standby-group.js';
import { loadConfig } from '../config/app-config.js';
import { connectDocker } from '../docker/docker-engine.js';
import { LAB_SERVERS, labServerImageSettings, type LabServer } from '../docker/lab-servers.js';
import { Lab } from './lab.js';
import { LAB_MAX_SHARDS, validateLabSettings } from './lab-topology.js';

const LAYOUTS: readonly StandbyLayout[] = ['attached', 'prewired', 'separate'];

/** The lab's shape from the command line; unset parts come from `LAB_SHARDS` and `LAB_REPLICAS`. */
interface ShapeOptions {
  readonly shards?: number;
  readonly replicas?: number;
}

type LabCommand =
  | {
      readonly name: 'up';
      readonly bare: boolean;
      readonly layout: StandbyLayout;
      readonly shape: ShapeOptions;
      readonly server?: LabServer;
    }
  | { readonly name: 'reset'; readonly layout: StandbyLayout; readonly shape: ShapeOptions; readonly server?: LabServer }
  | { readonly name: 'status' | 'down'; readonly shape: ShapeOptions };

const count = (value: string): number => {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError('must be a whole number');
  }
  return Number(value);
};

/** Reads the command line; Commander prints help and refusals, and throws a `CommanderError` after them. */
function parseLabCommand(argv: string[]): LabCommand {
  let parsed: LabCommand | undefined;
  const layout = () =>
    new Option(
      '--layout <layout>',
      'how group B stands beside cluster A: attached (B1–B3 replicate A1–A3, B4–B6 empty; group-failover, failover-and-failback), ' +
        'prewired (the same, with B4–B6 replicating B1–B3; prewired-standby), separate (B is a cluster of its own; backup-restore)',
    )
      .choices(LAYOUTS)
      .default('attached');
  const shape = (command: Command) =>
    command
      .option('--shards <count>', `masters in group A and standbys in group B, 1 to ${LAB_MAX_SHARDS} (default: LAB_SHARDS or 3)`, count)
      .option('--replicas <count>', 'replicas per master, and spares per standby: 1 or 2 (default: LAB_REPLICAS or 1)', count);
  const server = () =>
    new Option(
      '--server <server>',
      'the server the nodes run: its official image, or one built from Debian packages when no registry answers ' +
        "(default: REDIS_IMAGE, else an image of this host's Redis)",
    ).choices(LAB_SERVERS);
  const program = new Command('npm run lab --')
    .usage('<command> [options]')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({ outputError: (message, write) => write(`lab: ${message.replace(/^error: /, '')}`) });
  shape(program.command('up'))
    .description("create and start the lab's containers and, on empty nodes, form cluster A with group B beside it")
    .option('--bare', 'start the containers only, every node empty')
    .addOption(layout())
    .addOption(server())
    .action((options: { bare?: true; layout: StandbyLayout; server?: LabServer } & ShapeOptions) => {
      parsed = { name: 'up', bare: options.bare === true, layout: options.layout, shape: options, server: options.server };
    });
  shape(program.command('reset'))
    .description('recreate the cluster nodes from nothing and form them again (the queue Redis stays)')
    .addOption(layout())
    .addOption(server())
    .action((options: { layout: StandbyLayout; server?: LabServer } & ShapeOptions) => {
      parsed = { name: 'reset', layout: options.layout, shape: options, server: options.server };
    });
  shape(program.command('status'))
    .description('show every container and what its node says of itself')
    .action((options: ShapeOptions) => {
      parsed = { name: 'status', shape: options };
    });
  program
    .command('down')
    .description("remove every container labelled as this lab's")
    .action(() => {
      parsed = { name: 'down', shape: {} };
    });
  program.parse(argv, { from: 'user' });
  if (!parsed) {
    // Commander either calls one action or throws (exitOverride), so this is a bug, not a usage error.
    throw new Error(`no command was parsed from ${JSON.stringify(argv)}`);
  }
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  const command = parseLabCommand(argv);
  const config = loadConfig();
  const settings = {
    ...config.lab,
    shards: command.shape.shards ?? config.lab.shards,
    replicasPerMaster: command.shape.replicas ?? config.lab.replicasPerMaster,
  };
  validateLabSettings(settings);
  const connections = new RedisConnections();
  const lab = new Lab(
    connectDocker(),
    settings,
    'server' in command && command.server
      ? labServerImageSettings(command.server, config.imagePullTimeoutMs, config.debianMirror)
      : { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs },
    new ClusterAdmin(connections),
    (line) => console.log(`lab ${config.lab.name}: ${line}`),
  );
  try {
    switch (command.name) {
      case 'up': {
        const outcome = await lab.up({ form: !command.bare, layout: command.layout });
        console.log(
          `lab ${config.lab.name} is up (${outcome}), ${settings.shards} shard(s) × ${settings.replicasPerMaster} replica(s); ` +
            `queue Redis at 127.0.0.1:${config.lab.basePort}` +
            (settings.shards === config.lab.shards && settings.replicasPerMaster === config.lab.replicasPerMaster
              ? ''
              : `; set LAB_SHARDS=${settings.shards} LAB_REPLICAS=${settings.replicasPerMaster} for the service to drill this shape`),
        );
        return 0;
      }
      case 'reset':
        await lab.reset(command.layout);
        console.log(`lab ${config.lab.name} reset: cluster A serving, group B ${command.layout}`);
        return 0;
      case 'down':
        console.log(`lab ${config.lab.name}: removed ${await lab.down()} container(s)`);
        return 0;
      case 'status':
        console.table(await lab.status());
        return 0;
    }
  } finally {
    await connections.closeAll();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed the refusal or the help; a refused command line exits 2.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
