import { loadConfig } from '../config/app-config.js';
import { openDataSource } from '../database/data-source.js';
import { DrillSummaryProjection } from '../drills/drill-summary.projection.js';
import { verifyAuditChain } from './audit-verifier.js';
import { DrillEventRepository } from './drill-event.repository.js';
import { EventStore } from './event-store.js';

const USAGE = `usage: npm run events -- <command>
  verify    walk the audit log's hash chain; exit 1 and name the first broken link if there is one
  rebuild   rebuild the drill projections from the events alone`;

async function main([command]: string[]): Promise<number> {
  if (command !== 'verify' && command !== 'rebuild') {
    console.error(USAGE);
    return 2;
  }
  const { databasePath } = loadConfig();
  const dataSource = await openDataSource(databasePath);
  try {
    if (command === 'rebuild') {
      const { streams } = new EventStore(dataSource, [new DrillSummaryProjection(dataSource)]).rebuildProjections();
      console.log(`${databasePath}: rebuilt the projections from the events of ${streams} stream(s)`);
      return 0;
    }
    const report = verifyAuditChain(new DrillEventRepository(dataSource));
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
    console.error(`events: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
