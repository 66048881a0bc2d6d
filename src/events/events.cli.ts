import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config/app-config.js';
import { openDataSource } from '../database/data-source.js';
import { DrillSummaryProjection } from '../drills/drill-summary.projection.js';
import { verifyAuditChain } from './audit-verifier.js';
import { DrillEventRepository } from './drill-event.repository.js';
import { SqliteEventStore } from './sqlite-event-store.js';

/** Reads the command line; Commander prints help and refusals, and throws a `CommanderError` after them. */
function parseEventsCommand(argv: string[]): 'verify' | 'rebuild' {
  let parsed: 'verify' | 'rebuild' | undefined;
  const program = new Command('npm run events --')
    .usage('<command>')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({ outputError: (message, write) => write(`events: ${message.replace(/^error: /, '')}`) });
  program
    .command('verify')
    .description("walk the audit log's hash chain; exit 1 and name the first broken link if there is one")
    .action(() => {
      parsed = 'verify';
    });
  program
    .command('rebuild')
    .description('rebuild the drill projections from the events alone')
    .action(() => {
      parsed = 'rebuild';
    });
  program.parse(argv, { from: 'user' });
  if (!parsed) {
    // Commander either calls one action or throws (exitOverride), so this is a bug, not a usage error.
    throw new Error(`no command was parsed from ${JSON.stringify(argv)}`);
  }
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  const command = parseEventsCommand(argv);
  const { databasePath } = loadConfig();
  const dataSource = await openDataSource(databasePath);
  try {
    if (command === 'rebuild') {
      const { streams } = await new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]).rebuildProjections();
      console.log(`${databasePath}: rebuilt the projections from the events of ${streams} stream(s)`);
      return 0;
    }
    const report = await verifyAuditChain(new DrillEventRepository(dataSource));
    if (report.intact) {
      console.log(
        `${databasePath}: intact, ${report.eventsChecked} event(s)` +
          (report.head ? `; head at position ${report.head.position}, hash ${report.head.hash}` : ''),
      );
      return 0;
    }
    const link = report.firstBrokenLink!;
    console.error(
      `${databasePath}: BROKEN at position ${link.position} (drill ${link.drillId || '-'}, sequence ${link.sequence}): ${link.problem}; ` +
        `${report.eventsChecked} event(s) before it check out`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed the refusal or the help; a refused command line exits 2.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    console.error(`events: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
