import { Command, CommanderError } from 'commander';
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { loadConfig, withoutCredentials } from '../config/app-config.js';
import { isPostgres, openDataSource } from '../database/data-source.js';
import { drillEventStore } from '../drills/drill-event-store.js';
import { verifyAuditChain, type AuditReport } from './audit-verifier.js';
import { PostgresDrillEventRepository } from './drill-event.postgres-repository.js';
import type { DrillEventReader } from './drill-event.reader.js';
import { DrillEventRepository } from './drill-event.repository.js';
import { logFileLines, parseLogFile, rowsAsLog } from './log-file.js';

type EventsCommand = { name: 'verify' | 'rebuild' } | { name: 'export' | 'import'; file: string };

/** Reads the command line; Commander prints help and refusals, and throws a `CommanderError` after them. */
function parseEventsCommand(argv: string[]): EventsCommand {
  let parsed: EventsCommand | undefined;
  const program = new Command('npm run events --')
    .usage('<command>')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({ outputError: (message, write) => write(`events: ${message.replace(/^error: /, '')}`) });
  program
    .command('verify')
    .description("walk the audit log's hash chain; exit 1 and name the first broken link if there is one")
    .action(() => {
      parsed = { name: 'verify' };
    });
  program
    .command('rebuild')
    .description('rebuild the drill projections from the events alone')
    .action(() => {
      parsed = { name: 'rebuild' };
    });
  program
    .command('export')
    .argument('<file>', 'where to write the log, as JSON Lines')
    .description('verify the log, then write every stream and event, with its hash, to a file')
    .action((file: string) => {
      parsed = { name: 'export', file };
    });
  program
    .command('import')
    .argument('<file>', 'a file written by export')
    .description('verify a file written by export, write it into this empty log, rebuild the projections and verify again')
    .action((file: string) => {
      parsed = { name: 'import', file };
    });
  program.parse(argv, { from: 'user' });
  if (!parsed) {
    // Commander either calls one action or throws (exitOverride), so this is a bug, not a usage error.
    throw new Error(`no command was parsed from ${JSON.stringify(argv)}`);
  }
  return parsed;
}

const intact = (where: string, report: AuditReport) =>
  `${where}: intact, ${report.eventsChecked} event(s)` +
  (report.head ? `; head at position ${report.head.position}, hash ${report.head.hash}` : '');

function broken(where: string, report: AuditReport): string {
  const link = report.firstBrokenLink!;
  return (
    `${where}: BROKEN at position ${link.position} (drill ${link.drillId || '-'}, sequence ${link.sequence}): ${link.problem}; ` +
    `${report.eventsChecked} event(s) before it check out`
  );
}

async function main(argv: string[]): Promise<number> {
  const command = parseEventsCommand(argv);
  const config = loadConfig();
  // The log's database as it may be printed: a URL's password never is.
  const where = config.databaseUrl ? withoutCredentials(config.databaseUrl) : config.databasePath;
  const dataSource = await openDataSource(config);
  try {
    const reader: DrillEventReader = isPostgres(dataSource)
      ? new PostgresDrillEventRepository(dataSource)
      : new DrillEventRepository(dataSource);
    if (command.name === 'rebuild') {
      const { streams } = await drillEventStore(dataSource).rebuildProjections();
      console.log(`${where}: rebuilt the projections from the events of ${streams} stream(s)`);
      return 0;
    }
    if (command.name === 'import') {
      const { streams, rows, head } = parseLogFile(readFileSync(command.file, 'utf8'));
      const inFile = await verifyAuditChain(rowsAsLog(rows));
      if (!inFile.intact || inFile.head?.hash !== head?.hash) {
        console.error(
          inFile.intact ? `${command.file}: the chain does not end at the head its header names` : broken(command.file, inFile),
        );
        return 1;
      }
      await drillEventStore(dataSource).restore(streams, rows);
    }
    const report = await verifyAuditChain(reader);
    if (!report.intact) {
      console.error(broken(where, report));
      return 1;
    }
    if (command.name === 'export') {
      await pipeline(Readable.from(logFileLines(reader, report)), createWriteStream(command.file));
      console.log(`${command.file}: exported ${report.eventsChecked} event(s) from ${where}`);
    }
    console.log(intact(where, report));
    return 0;
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
