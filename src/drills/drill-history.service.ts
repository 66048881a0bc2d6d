import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { DrillEventReader } from '../events/drill-event.reader.js';
import type { DrillEvent, RecordedDrillEvent } from './drill-events.js';
import type { StepName } from './scenarios.js';
import { foldDrill, type DrillState, type StepStatus } from './drill-state.js';
import { DrillNotFoundError } from './drill-stream.js';
import type { DrillRow } from './drill-summary.entity.js';
import { DrillSummaryReader } from './drill-summary.reader.js';
import type { DrillEventsPageDto, DrillTimelineDto, TimelineEventDto } from './drill-history.dto.js';
import type { DrillListDto, DrillListItemDto, ListDrillsQueryDto } from './drill-list.dto.js';
import type { DrillDto, DrillServerDto } from './drill.dto.js';
import type { DrillOptionsDto } from './drill-options.dto.js';
import type { ProbeReportDto } from '../probe/probe-report.dto.js';

const DEFAULT_PAGE = 50;
const STEP_EVENTS = new Set(['StepStarted', 'StepSucceeded', 'StepFailed']);

/** Answers questions about past and running drills, from the projections and the streams. */
@Injectable()
export class DrillHistory {
  constructor(
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(DrillEventReader) private readonly log: DrillEventReader,
  ) {}

  /** Drills newest first, filtered, a page at a time. */
  async list(query: ListDrillsQueryDto): Promise<DrillListDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const from = query.from === undefined ? undefined : new Date(query.from).toISOString();
    const to = query.to === undefined ? undefined : new Date(query.to).toISOString();
    if (from !== undefined && to !== undefined && from > to) {
      throw new BadRequestException('from must not be later than to');
    }
    const rows = await this.summaries.page({
      status: query.status,
      scenario: query.scenario,
      target: query.target,
      from,
      to,
      ...(query.cursor !== undefined ? { before: decodeCursor(query.cursor) } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(listItem),
      ...(rows.length > page.length && last ? { nextCursor: encodeCursor(last.requestedAt, last.id) } : {}),
    };
  }

  /** A drill's summary and steps, from the projection tables. */
  async drill(id: string): Promise<DrillDto> {
    const row = await this.summaries.drill(id);
    if (!row) {
      throw new DrillNotFoundError(id);
    }
    const steps = await this.summaries.steps(id);
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
        ...(step.startedAt ? { startedAt: step.startedAt } : {}),
        ...(step.finishedAt ? { finishedAt: step.finishedAt } : {}),
        ...(step.durationMs !== null ? { durationMs: step.durationMs } : {}),
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
      ...(item.servers ? { servers: item.servers } : {}),
    };
  }

  async events(id: string, after = 0, limit = 100): Promise<DrillEventsPageDto> {
    const items = await this.log.page<DrillEvent>(id, after, limit + 1);
    if (items.length === 0 && !(await this.summaries.drill(id))) {
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
    const events = await this.log.stream<DrillEvent>(id);
    const state = foldDrill(events);
    if (!state) {
      throw new DrillNotFoundError(id);
    }
    return { state, events };
  }
}

/** An event's payload as the API shows it: a plain JSON object. */
const payload = (event: RecordedDrillEvent): Record<string, unknown> => event.data as unknown as Record<string, unknown>;

function listItem(row: DrillRow): DrillListItemDto {
  return {
    id: row.id,
    target: row.target,
    scenario: row.scenario as DrillListItemDto['scenario'],
    trigger: row.trigger as DrillListItemDto['trigger'],
    ...(row.scheduleId ? { scheduleId: row.scheduleId } : {}),
    status: row.status as DrillListItemDto['status'],
    requestedAt: row.requestedAt,
    ...(row.startedAt ? { startedAt: row.startedAt } : {}),
    ...(row.finishedAt ? { finishedAt: row.finishedAt } : {}),
    ...(row.totalMs !== null ? { totalMs: row.totalMs } : {}),
    ...(row.killToServingMs !== null ? { killToServingMs: row.killToServingMs } : {}),
    ...(row.killToRedundantMs !== null ? { killToRedundantMs: row.killToRedundantMs } : {}),
    ...(row.failbackMs !== null ? { failbackMs: row.failbackMs } : {}),
    ...(row.clientRtoMs !== null ? { clientRtoMs: row.clientRtoMs } : {}),
    ...(row.lostAckedWrites !== null ? { lostAckedWrites: row.lostAckedWrites } : {}),
    ...(row.error ? { error: row.error } : {}),
    ...(row.servers !== null ? { servers: JSON.parse(row.servers) as DrillServerDto[] } : {}),
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

function decodeCursor(cursor: string): { requestedAt: string; id: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((part) => typeof part === 'string')) {
      const [requestedAt, id] = decoded as [string, string];
      return { requestedAt, id };
    }
  } catch {
    // reported below
  }
  throw new BadRequestException('cursor is not one this API returned');
}

const round = (ms: number) => Math.round(ms * 100) / 100;
