import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '../events/event-store.js';
import { sqliteHandle, type SqliteDatabase } from '../events/sqlite.js';
import type { DrillEvent, RecordedDrillEvent } from './drill-events.js';
import type { StepName } from './scenarios.js';
import { foldDrill, type DrillState, type StepStatus } from './drill-state.js';
import { DrillNotFoundError } from './drill-stream.js';
import type { DrillEventsPageDto, DrillTimelineDto, TimelineEventDto } from './drill-history.dto.js';
import type { DrillListDto, DrillListItemDto, ListDrillsQueryDto } from './drill-list.dto.js';
import type { DrillDto } from './drill.dto.js';
import type { DrillOptionsDto } from './drill-options.dto.js';
import type { ProbeReportDto } from '../probe/probe-report.dto.js';

const DEFAULT_PAGE = 50;
const STEP_EVENTS = new Set(['StepStarted', 'StepSucceeded', 'StepFailed']);

/** Answers questions about past and running drills, from the projections and the streams. */
@Injectable()
export class DrillHistory {
  private readonly db: SqliteDatabase;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(EventStore) private readonly store: EventStore,
  ) {
    this.db = sqliteHandle(dataSource);
  }

  /** Drills newest first, filtered, a page at a time. */
  list(query: ListDrillsQueryDto): DrillListDto {
    const limit = query.limit ?? DEFAULT_PAGE;
    const conditions: string[] = [];
    const parameters: Record<string, string | number> = { limit: limit + 1 };
    for (const field of ['status', 'scenario', 'target'] as const) {
      if (query[field] !== undefined) {
        conditions.push(`${field} = @${field}`);
        parameters[field] = query[field];
      }
    }
    const from = query.from === undefined ? undefined : new Date(query.from).toISOString();
    const to = query.to === undefined ? undefined : new Date(query.to).toISOString();
    if (from !== undefined && to !== undefined && from > to) {
      throw new BadRequestException('from must not be later than to');
    }
    if (from !== undefined) {
      conditions.push('requested_at >= @from');
      parameters.from = from;
    }
    if (to !== undefined) {
      conditions.push('requested_at <= @to');
      parameters.to = to;
    }
    if (query.cursor !== undefined) {
      const [requestedAt, id] = decodeCursor(query.cursor);
      conditions.push('(requested_at, id) < (@cursorAt, @cursorId)');
      parameters.cursorAt = requestedAt;
      parameters.cursorId = id;
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = this.db
      .prepare(`SELECT * FROM drills ${where} ORDER BY requested_at DESC, id DESC LIMIT @limit`)
      .all(parameters) as RawDrillRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(listItem),
      ...(rows.length > page.length && last ? { nextCursor: encodeCursor(last.requested_at, last.id) } : {}),
    };
  }

  /** A drill's summary and steps, from the projection tables. */
  drill(id: string): DrillDto {
    const row = this.db.prepare('SELECT * FROM drills WHERE id = ?').get(id) as RawDrillRow | undefined;
    if (!row) {
      throw new DrillNotFoundError(id);
    }
    const steps = this.db.prepare('SELECT * FROM drill_steps WHERE drill_id = ? ORDER BY ordinal').all(id) as RawStepRow[];
    const item = listItem(row);
    return {
      id: item.id,
      scenario: item.scenario,
      target: item.target,
      trigger: item.trigger,
      ...(item.scheduleId ? { scheduleId: item.scheduleId } : {}),
      status: item.status,
      requestedAt: item.requestedAt,
      ...(item.startedAt ? { startedAt: item.startedAt } : {}),
      ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
      ...(item.error ? { error: item.error } : {}),
      steps: steps.map((step) => ({
        name: step.name as StepName,
        status: step.status as StepStatus,
        ...(step.started_at ? { startedAt: step.started_at } : {}),
        ...(step.finished_at ? { finishedAt: step.finished_at } : {}),
        ...(step.duration_ms !== null ? { durationMs: step.duration_ms } : {}),
        ...(step.error ? { error: step.error } : {}),
      })),
      timings: {
        ...(item.killToServingMs !== undefined ? { killToServingMs: item.killToServingMs } : {}),
        ...(item.killToRedundantMs !== undefined ? { killToRedundantMs: item.killToRedundantMs } : {}),
        ...(item.failbackMs !== undefined ? { failbackMs: item.failbackMs } : {}),
        ...(item.totalMs !== undefined ? { totalMs: item.totalMs } : {}),
      },
      options: JSON.parse(row.options) as DrillOptionsDto,
      ...probeFields(row.probe),
    };
  }

  async events(id: string, after = 0, limit = 100): Promise<DrillEventsPageDto> {
    const items = await this.store.readPage<DrillEvent>(id, after, limit + 1);
    if (items.length === 0 && !(await this.exists(id))) {
      throw new DrillNotFoundError(id);
    }
    const page = items.slice(0, limit);
    return {
      items: page.map((event) => ({
        position: event.position,
        sequence: event.sequence,
        type: event.type,
        schemaVersion: event.schemaVersion,
        actor: event.actor,
        occurredAt: event.occurredAt,
        hash: event.hash,
        data: payload(event),
      })),
      ...(items.length > limit ? { nextAfter: page.at(-1)!.sequence } : {}),
    };
  }

  /** Steps as spans and domain events as points on one axis, in milliseconds from the drill's start. */
  async timeline(id: string): Promise<DrillTimelineDto> {
    const { state, events } = await this.stateAndEvents(id);
    const origin = state.startedAt ?? state.requestedAt;
    const offset = (at: string) => Date.parse(at) - Date.parse(origin);
    let running: StepName | undefined;
    const points: TimelineEventDto[] = [];
    for (const event of events) {
      if (event.type === 'StepStarted') {
        running = event.data.step;
      } else if (event.type === 'StepSucceeded' || event.type === 'StepFailed') {
        running = undefined;
      }
      if (!STEP_EVENTS.has(event.type)) {
        points.push({
          sequence: event.sequence,
          type: event.type,
          offsetMs: offset(event.occurredAt),
          ...(running ? { step: running } : {}),
          data: payload(event),
        });
      }
    }
    return {
      drillId: state.id,
      origin,
      steps: state.steps
        .filter((step) => step.startedAt !== undefined)
        .map((step) => {
          const start = offset(step.startedAt!);
          return {
            name: step.name,
            status: step.status,
            startOffsetMs: start,
            ...(step.durationMs !== undefined ? { endOffsetMs: round(start + step.durationMs), durationMs: step.durationMs } : {}),
            ...(step.error ? { error: step.error } : {}),
          };
        }),
      events: points,
    };
  }

  private async stateAndEvents(id: string): Promise<{ state: DrillState; events: RecordedDrillEvent[] }> {
    const events = await this.store.read<DrillEvent>(id);
    const state = foldDrill(events);
    if (!state) {
      throw new DrillNotFoundError(id);
    }
    return { state, events };
  }

  private async exists(id: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM drills WHERE id = ?').get(id) !== undefined;
  }
}

/** An event's payload as the API shows it: a plain JSON object. */
const payload = (event: RecordedDrillEvent): Record<string, unknown> => event.data as unknown as Record<string, unknown>;

/** A `drill_steps` row as SQLite returns it. */
interface RawStepRow {
  name: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
}

/** A `drills` row as SQLite returns it. */
interface RawDrillRow {
  id: string;
  scenario: string;
  target: string;
  trigger: string;
  schedule_id: string | null;
  status: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  total_ms: number | null;
  kill_to_serving_ms: number | null;
  kill_to_redundant_ms: number | null;
  failback_ms: number | null;
  client_rto_ms: number | null;
  lost_acked_writes: number | null;
  options: string;
  probe: string | null;
  error: string | null;
}

function listItem(row: RawDrillRow): DrillListItemDto {
  return {
    id: row.id,
    target: row.target,
    scenario: row.scenario as DrillListItemDto['scenario'],
    trigger: row.trigger as DrillListItemDto['trigger'],
    ...(row.schedule_id ? { scheduleId: row.schedule_id } : {}),
    status: row.status as DrillListItemDto['status'],
    requestedAt: row.requested_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.total_ms !== null ? { totalMs: row.total_ms } : {}),
    ...(row.kill_to_serving_ms !== null ? { killToServingMs: row.kill_to_serving_ms } : {}),
    ...(row.kill_to_redundant_ms !== null ? { killToRedundantMs: row.kill_to_redundant_ms } : {}),
    ...(row.failback_ms !== null ? { failbackMs: row.failback_ms } : {}),
    ...(row.client_rto_ms !== null ? { clientRtoMs: row.client_rto_ms } : {}),
    ...(row.lost_acked_writes !== null ? { lostAckedWrites: row.lost_acked_writes } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** The probe's report, or why it was lost, from the projection's JSON. */
function probeFields(probe: string | null): { probe?: ProbeReportDto; probeLost?: string } {
  if (probe === null) {
    return {};
  }
  const outcome = JSON.parse(probe) as { state: 'reported'; report: ProbeReportDto } | { state: 'lost'; reason: string };
  return outcome.state === 'reported' ? { probe: outcome.report } : { probeLost: outcome.reason };
}

function encodeCursor(requestedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([requestedAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((part) => typeof part === 'string')) {
      return decoded as [string, string];
    }
  } catch {
    // reported below
  }
  throw new BadRequestException('cursor is not one this API returned');
}

const round = (ms: number) => Math.round(ms * 100) / 100;
