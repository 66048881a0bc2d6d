import type { AuditReport } from './audit-verifier.js';
import type { DrillEventRow } from './drill-event.entity.js';
import type { DrillEventReader } from './drill-event.reader.js';
import type { EventStreamRow } from './event-stream.entity.js';

const FORMAT = 'redis-drill audit log';
const VERSION = 1;

/** The first line of a log file: what follows it, so that an import can tell a whole file from a cut one. */
interface LogFileHeader {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly streams: readonly EventStreamRow[];
  readonly events: number;
  readonly head: { readonly position: number; readonly hash: string } | null;
}

export class LogFileError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'LogFileError';
  }
}

/**
 * A log as JSON Lines, for moving it between databases: a header naming the streams, the number of
 * events and the head, then every event row exactly as stored, in append order. `report` is the
 * verified chain the rows are read after.
 */
export async function* logFileLines(reader: DrillEventReader, report: AuditReport): AsyncIterable<string> {
  const header: LogFileHeader = {
    format: FORMAT,
    version: VERSION,
    streams: await reader.streams(),
    events: report.eventsChecked,
    head: report.head,
  };
  yield `${JSON.stringify(header)}\n`;
  for await (const row of reader.inAppendOrder()) {
    // Events appended since the chain was verified are left for the next export.
    if (row.position > (report.head?.position ?? 0)) {
      return;
    }
    yield `${JSON.stringify(row)}\n`;
  }
}

const ROW_FIELDS: Record<keyof DrillEventRow, 'number' | 'string'> = {
  position: 'number',
  streamId: 'string',
  sequence: 'number',
  type: 'string',
  schemaVersion: 'number',
  data: 'string',
  actor: 'string',
  occurredAt: 'string',
  hash: 'string',
};

/** Reads a log file back, refusing one whose header is missing or whose rows are malformed or fewer than it says. */
export function parseLogFile(text: string): { streams: EventStreamRow[]; rows: DrillEventRow[]; head: LogFileHeader['head'] } {
  const lines = text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1);
  const parse = (line: string, number: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      throw new LogFileError(number, 'is not JSON');
    }
  };
  const header = parse(lines[0] ?? '', 1) as Partial<LogFileHeader> | null;
  if (header?.format !== FORMAT || header.version !== VERSION || !Array.isArray(header.streams) || typeof header.events !== 'number') {
    throw new LogFileError(1, `is not the header of a ${FORMAT}, version ${VERSION} (written by npm run events -- export)`);
  }
  const rows = lines.slice(1).map((line, index) => {
    const row = parse(line, index + 2) as Record<string, unknown> | null;
    for (const [field, type] of Object.entries(ROW_FIELDS)) {
      if (typeof row?.[field] !== type) {
        throw new LogFileError(index + 2, `the event has no ${type} ${field}`);
      }
    }
    return Object.fromEntries(Object.keys(ROW_FIELDS).map((field) => [field, row![field]])) as unknown as DrillEventRow;
  });
  if (rows.length !== header.events) {
    throw new LogFileError(
      lines.length,
      `the header announces ${header.events} event(s), the file holds ${rows.length}: it was cut short or added to`,
    );
  }
  const streams = (header.streams as unknown[]).map((stream): EventStreamRow => {
    const { id, kind } = (stream ?? {}) as Partial<EventStreamRow>;
    if (typeof id !== 'string' || typeof kind !== 'string') {
      throw new LogFileError(1, 'a stream of the header has no id or kind');
    }
    return { id, kind };
  });
  return { streams, rows, head: header.head ?? null };
}

/** The rows as a reader of the chain, so that a file is verified as a database is before it is imported. */
export function rowsAsLog(rows: readonly DrillEventRow[]): Pick<DrillEventReader, 'inAppendOrder' | 'highestPositionEverUsed'> {
  return {
    inAppendOrder: async function* () {
      yield* rows;
    },
    highestPositionEverUsed: async () => rows.at(-1)?.position,
  };
}
