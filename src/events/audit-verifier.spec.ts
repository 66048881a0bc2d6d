import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataSource } from '../database/data-source.js';
import { verifyAuditChain } from './audit-verifier.js';
import { DrillEventRepository } from './drill-event.repository.js';
import { type EventStore } from './event-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describe('verifyAuditChain', () => {
  let dataSource: DataSource;
  let store: EventStore;
  const meta = { occurredAt: new Date('2026-11-25T12:00:00.000Z'), actor: 'ops-alice', streamKind: 'test' };

  beforeEach(async () => {
    dataSource = await openDataSource(':memory:');
    store = new SqliteEventStore(dataSource);
    for (const drill of ['d-1', 'd-2', 'd-3']) {
      await store.append(drill, 0, [{ type: 'DrillRequested', data: { n: 1 } }], meta);
      await store.append(
        drill,
        1,
        [
          { type: 'DrillStarted', data: { n: 2 } },
          { type: 'StepStarted', data: { n: 3 } },
        ],
        meta,
      );
    }
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  /** What someone with write access to the file would do: lift the triggers, then edit. */
  async function tamper(statement: string): Promise<void> {
    await dataSource.query('DROP TRIGGER drill_events_no_update');
    await dataSource.query('DROP TRIGGER drill_events_no_delete');
    await dataSource.query(statement);
  }

  it('finds an untouched log intact and names its head', async () => {
    const report = await verifyAuditChain(new DrillEventRepository(dataSource));
    expect(report).toMatchObject({ intact: true, eventsChecked: 9, firstBrokenLink: null });
    expect(report.head).toEqual({ position: 9, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('reports an edited payload at the event that was edited', async () => {
    await tamper(`UPDATE drill_events SET data = '{"n":99}' WHERE position = 5`);
    expect(await verifyAuditChain(new DrillEventRepository(dataSource))).toMatchObject({
      intact: false,
      eventsChecked: 4,
      firstBrokenLink: { position: 5, drillId: 'd-2', sequence: 2, problem: expect.stringContaining('does not match') },
    });
  });

  it('reports an edited actor or time, which the hash covers too', async () => {
    await tamper(`UPDATE drill_events SET actor = 'someone-else' WHERE position = 2`);
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).firstBrokenLink?.position).toBe(2);
  });

  it('reports a deleted event at its successor', async () => {
    await tamper(`DELETE FROM drill_events WHERE position = 4`);
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).firstBrokenLink).toMatchObject({
      position: 5,
      problem: 'position 5 follows 3: events between them are missing',
    });
  });

  it('reports events cut off the end of the log', async () => {
    await tamper(`DELETE FROM drill_events WHERE position >= 8`);
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).firstBrokenLink).toMatchObject({
      position: 8,
      problem: 'the log once reached position 9 but now ends at 7: events at its end were removed',
    });
  });

  it('reports a replaced hash', async () => {
    const [row] = await dataSource.query<{ hash: string }[]>('SELECT * FROM drill_events WHERE position = 3');
    await tamper(`UPDATE drill_events SET hash = '${'f'.repeat(64)}' WHERE position = 3`);
    expect(row!.hash).not.toBe('f'.repeat(64));
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).firstBrokenLink?.position).toBe(3);
  });
});
