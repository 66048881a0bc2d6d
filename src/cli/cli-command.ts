import { Command, type OutputConfiguration } from 'commander';
import { CliError } from './cli-error.js';

/** What a drill request carries from the command line, as the service's `POST /drills` takes it. */
export interface DrillRequest {
  readonly scenario: string;
  readonly target?: string;
  readonly waitForTarget?: true;
  readonly options: {
    readonly planned?: true;
    readonly probe?: false;
    readonly maxClientOutageMs?: number;
    readonly maxFailedWrites?: number;
  };
}

/** One invocation of the CLI, parsed and checked, before anything is sent. */
export type CliCommand =
  | { readonly name: 'run'; readonly request: DrillRequest; readonly dryRun: boolean; readonly timeoutMs: number }
  | { readonly name: 'history'; readonly query: URLSearchParams }
  | { readonly name: 'show'; readonly id: string }
  | { readonly name: 'repair'; readonly target: string; readonly dryRun: boolean; readonly timeoutMs: number }
  | { readonly name: 'schedules' }
  | { readonly name: 'audit-verify' }
  | { readonly name: 'lab'; readonly args: readonly string[] }
  | { readonly name: 'targets-discover'; readonly request: DiscoverRequest };

/** What `targets discover` asks the service's `POST /admin/targets/discover`. */
export interface DiscoverRequest {
  readonly name: string;
  readonly node: string;
  readonly project?: string;
  readonly label?: string;
}

const DEFAULT_TIMEOUT_S = 3600;

/**
 * Parses the arguments after `redis-drill`. Throws a `CliError` for a bad number, and Commander's
 * `CommanderError` for anything else it refuses or after it printed help (`exitCode` 0 then);
 * `output` replaces where Commander writes help and errors.
 */
export function parseCommand(argv: readonly string[], output?: OutputConfiguration): CliCommand {
  let parsed: CliCommand | undefined;
  const program = new Command('redis-drill')
    .usage('<command> [options]        (npm run cli -- <command> [options])')
    .exitOverride()
    .enablePositionalOptions()
    .helpCommand(false)
    .showHelpAfterError('(redis-drill --help lists the commands, redis-drill <command> --help their options)')
    // Errors read as the CLI's own, `redis-drill: …`, rather than Commander's `error: …`.
    .configureOutput({ outputError: (message, write) => write(`redis-drill: ${message.replace(/^error: /, '')}`), ...output })
    .addHelpText('after', '\nenvironment: REDIS_DRILL_URL (default http://127.0.0.1:3000/api), REDIS_DRILL_TOKEN (an API token)');

  program
    .command('run')
    .description('request a drill and follow it step by step; exits 0 only if it succeeds')
    .argument('<scenario>', 'the scenario, e.g. group-failover')
    .option('--target <name>', 'the target to drill (default: lab)')
    .option('--planned', 'a planned failover rather than a kill')
    .option('--wait-for-target', 'wait while another drill holds the target instead of being refused')
    .option('--no-probe', 'run without the client probe')
    .option('--timeout-s <s>', 'give up following the drill after this many seconds', positiveNumber('--timeout-s'), DEFAULT_TIMEOUT_S)
    .option('--max-outage-ms <ms>', "stop the drill when the probe's clients are cut off this long", wholeNumber('--max-outage-ms'))
    .option('--max-failed-writes <n>', "stop the drill after this many of the probe's writes fail", wholeNumber('--max-failed-writes'))
    .option('--dry-run', 'print the plan only')
    .action((scenario: string, options: RunOptions) => {
      parsed = {
        name: 'run',
        request: drillRequest(scenario, options),
        dryRun: options.dryRun === true,
        timeoutMs: options.timeoutS * 1000,
      };
    });

  program
    .command('history')
    .description('recent drills, newest first')
    .option('--status <s>', 'only drills with this status')
    .option('--target <name>', 'only drills of this target')
    .option('--limit <n>', 'at most this many drills', wholeNumber('--limit'))
    .action((options: { status?: string; target?: string; limit?: number }) => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(options)) {
        if (value !== '') {
          query.set(key, String(value));
        }
      }
      parsed = { name: 'history', query };
    });

  program
    .command('show')
    .description("a drill's steps and figures")
    .argument('<id>', "the drill's id")
    .action((id: string) => {
      parsed = { name: 'show', id };
    });

  program
    .command('repair')
    .description('say what keeps a target from being ready, and finish the half-done failover or failback; exits 0 when it ends ready')
    .argument('<target>', 'the target, e.g. lab')
    .option('--dry-run', 'print the findings and the plan only; change nothing')
    .option('--timeout-s <s>', 'give up following the repair after this many seconds', positiveNumber('--timeout-s'), DEFAULT_TIMEOUT_S)
    .action((target: string, options: { dryRun?: true; timeoutS: number }) => {
      parsed = { name: 'repair', target, dryRun: options.dryRun === true, timeoutMs: options.timeoutS * 1000 };
    });

  program
    .command('schedules')
    .description('every schedule and its next run')
    .action(() => {
      parsed = { name: 'schedules' };
    });

  program
    .command('audit')
    .description("the audit log's hash chain")
    .helpCommand(false)
    .command('verify')
    .description("walk the audit log's hash chain; exits 1 on a broken link")
    .action(() => {
      parsed = { name: 'audit-verify' };
    });

  program
    .command('targets')
    .description("the service's targets")
    .helpCommand(false)
    .command('discover')
    .description('print a targets-file entry for a cluster running in containers (admin token; changes nothing)')
    .requiredOption('--node <host:port>', 'one node of the cluster, as the service reaches it')
    .option('--project <name>', 'the Compose project its containers belong to')
    .option('--label <key=value>', 'a label its containers carry (instead of --project)')
    .option('--name <name>', 'the name the target gets', 'discovered')
    .action((options: { node: string; project?: string; label?: string; name: string }) => {
      if ((options.project === undefined) === (options.label === undefined)) {
        throw new CliError('targets discover takes either --project or --label');
      }
      parsed = {
        name: 'targets-discover',
        request: {
          name: options.name,
          node: options.node,
          ...(options.project === undefined ? {} : { project: options.project }),
          ...(options.label === undefined ? {} : { label: options.label }),
        },
      };
    });

  program
    .command('lab')
    .description('up|down|status|reset: the local lab (same as npm run lab)')
    .argument('[args...]', 'the lab command and its options')
    // The lab CLI reads its own options and prints its own help.
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action((args: string[]) => {
      parsed = { name: 'lab', args };
    });

  program.parse(argv, { from: 'user' });
  if (!parsed) {
    // Commander either calls one action or throws (exitOverride), so this is a bug, not a usage error.
    throw new Error(`no command was parsed from ${JSON.stringify(argv)}`);
  }
  return parsed;
}

interface RunOptions {
  target?: string;
  planned?: true;
  waitForTarget?: true;
  probe: boolean;
  timeoutS: number;
  maxOutageMs?: number;
  maxFailedWrites?: number;
  dryRun?: true;
}

function drillRequest(scenario: string, options: RunOptions): DrillRequest {
  return {
    scenario,
    ...(options.target ? { target: options.target } : {}),
    ...(options.waitForTarget ? { waitForTarget: true } : {}),
    options: {
      ...(options.planned ? { planned: true } : {}),
      ...(options.probe ? {} : { probe: false }),
      ...(options.maxOutageMs === undefined ? {} : { maxClientOutageMs: options.maxOutageMs }),
      ...(options.maxFailedWrites === undefined ? {} : { maxFailedWrites: options.maxFailedWrites }),
    },
  };
}

/** A whole-number option; the service checks its range and names the field if it is out of it. */
function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) {
      throw new CliError(`${flag} takes a whole number, not ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
      throw new CliError(`${flag} takes a number above 0, not ${JSON.stringify(value)}`);
    }
    return number;
  };
}
