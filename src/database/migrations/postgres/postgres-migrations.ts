import { CreateAuditLog1764000000000 } from './1764000000000-create-audit-log.js';
import { CreateSchedules1764100000000 } from './1764100000000-create-schedules.js';
import { AddDrillFigures1764200000000 } from './1764200000000-add-drill-figures.js';
import { StreamKinds1764300000000 } from './1764300000000-stream-kinds.js';
import { AddDrillServers1764420000000 } from './1764420000000-add-drill-servers.js';
import { AppendFunction1764500000000 } from './1764500000000-append-function.js';

/**
 * PostgreSQL's migrations: one per change, with the names and in the order of SQLite's, and then
 * those of PostgreSQL alone (the append function).
 */
export const POSTGRES_MIGRATIONS = [
  CreateAuditLog1764000000000,
  CreateSchedules1764100000000,
  AddDrillFigures1764200000000,
  StreamKinds1764300000000,
  AddDrillServers1764420000000,
  AppendFunction1764500000000,
];
