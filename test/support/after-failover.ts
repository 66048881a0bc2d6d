import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { openDataSource } from '../../src/database/data-source.js';
import { verifyAuditChain } from '../../src/events/audit-verifier.js';
import { DrillEventRepository } from '../../src/events/drill-event.repository.js';
import { failoverLayout } from '../../src/targets/drill-target.js';
import type { TestLab } from './test-lab.js';

/** After a failover from A: group B is a healthy cluster, three masters each with a synced replica. */
export async function expectGroupBHealthy(lab: Pick<TestLab, 'admin' | 'target'>): Promise<void> {
  const layout = failoverLayout(lab.target, 'A');
  expect(
    await lab.admin.healthProblems([...layout.standbys, ...layout.spares], {
      masters: 3,
      replicasPerMaster: 1,
      maxReplicaLagBytes: 64 * 1024,
    }),
  ).toEqual([]);
}

/** The audit log in this SQLite file verifies from its first event to its last. */
export async function expectAuditChainIntact(databaseFile: string): Promise<void> {
  const dataSource = await openDataSource(databaseFile);
  try {
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).intact).toBe(true);
  } finally {
    await dataSource.destroy();
  }
}

/** A stream's events as the SQLite file holds them, read while the service may be down. */
export function streamEvents(databaseFile: string, streamId: string): { type: string; data: string }[] {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return db.prepare('SELECT type, data FROM drill_events WHERE stream_id = ? ORDER BY sequence').all(streamId) as {
      type: string;
      data: string;
    }[];
  } finally {
    db.close();
  }
}
