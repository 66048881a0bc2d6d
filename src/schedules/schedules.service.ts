import { BadRequestException, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { errorMessage } from '../common/app-error.js';
import { settlesWithin } from '../common/wait-for.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ScenarioName } from '../drills/scenarios.js';
import { DrillQueue, SCHEDULED_DRILL_JOB, type ScheduledDrillJobData } from '../queue/drill-queue.js';
import { TargetRegistry } from '../targets/target-registry.js';
import type { CreateScheduleDto, ScheduleChangeDto, ScheduleOptionsDto, ScheduleDto, UpdateScheduleDto } from './schedule.dto.js';
import { definitionOf, ScheduleAudit } from './schedule-audit.js';
import type { ScheduleRow } from './schedule.entity.js';
import { ScheduleRepository } from './schedule.repository.js';
import { ScheduleNameTakenError, ScheduleNotFoundError } from './schedule-errors.js';
import { CadenceError, checkCadence, checkTimeZone, upcomingRuns, type Cadence } from './schedule-timing.js';

const SHOWN_RUNS = 3;
/** How long the boot waits for the queue's Redis to reconcile the schedulers before it goes on without. */
const BOOT_RECONCILE_WAIT_MS = 5_000;

/**
 * Recurring drills. The definition lives in SQLite, which is the truth; a BullMQ job scheduler
 * of the same id fires it. At boot every enabled schedule whose scheduler is missing (a flushed
 * Redis, a new Redis) gets it back, and schedulers without a definition are removed.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SchedulesService');

  constructor(
    @Inject(ScheduleRepository) private readonly rows: ScheduleRepository,
    @Inject(DrillQueue) private readonly drills: DrillQueue,
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ScheduleAudit) private readonly audit: ScheduleAudit,
  ) {}

  /**
   * Reconciles before the service answers, as long as the queue's Redis does. Without it the
   * service starts anyway (its health check says what is down), and the reconciliation, waiting
   * on Redis, completes once Redis is back.
   */
  async onApplicationBootstrap(): Promise<void> {
    const reconciling = this.reconcile().then(
      (restored) => {
        if (restored > 0) {
          this.logger.log(`re-created ${restored} missing job scheduler(s)`);
        }
      },
      (error: unknown) => this.logger.error(`reconciling the job schedulers failed: ${errorMessage(error)}`),
    );
    if (!(await settlesWithin(reconciling, BOOT_RECONCILE_WAIT_MS))) {
      this.logger.warn(`the queue's Redis did not answer within ${BOOT_RECONCILE_WAIT_MS} ms; schedulers are reconciled once it does`);
    }
  }

  /** Makes the queue's schedulers match the definitions; returns how many it had to re-create. */
  async reconcile(): Promise<number> {
    const rows = await this.rows.all();
    let restored = 0;
    for (const row of rows.filter((candidate) => candidate.enabled)) {
      if (!(await this.drills.queue.getJobScheduler(row.id))) {
        await this.upsertScheduler(row);
        restored++;
      }
    }
    const defined = new Set(rows.filter((row) => row.enabled).map((row) => row.id));
    for (const scheduler of await this.drills.queue.getJobSchedulers()) {
      if (scheduler.key && !defined.has(scheduler.key)) {
        await this.drills.queue.removeJobScheduler(scheduler.key);
      }
    }
    return restored;
  }

  async list(): Promise<ScheduleDto[]> {
    const rows = await this.rows.all();
    return Promise.all(rows.map((row) => this.describe(row)));
  }

  async get(id: string): Promise<ScheduleDto> {
    return this.describe(await this.find(id));
  }

  /** The definition as stored, or undefined; for the worker when a scheduler fires. */
  async definition(id: string): Promise<ScheduleRow | undefined> {
    return this.rows.byId(id);
  }

  async create(dto: CreateScheduleDto, actor: string): Promise<ScheduleDto> {
    const now = new Date(this.clock.now()).toISOString();
    const row: ScheduleRow = {
      id: randomUUID(),
      name: dto.name,
      cron: dto.cron ?? null,
      everyMs: dto.everyMs ?? null,
      tz: dto.tz ?? 'UTC',
      target: dto.target ?? this.targets.defaultTarget,
      scenario: dto.scenario,
      options: JSON.stringify(dto.options ?? {}),
      enabled: dto.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.check(row);
    await this.save(row);
    await this.audit.record(
      { type: 'ScheduleCreated', data: { scheduleId: row.id, name: row.name, definition: definitionOf(row) } },
      actor,
    );
    return this.describe(row);
  }

  async update(id: string, dto: UpdateScheduleDto, actor: string): Promise<ScheduleDto> {
    const row = await this.find(id);
    if (dto.cron !== undefined && dto.everyMs !== undefined) {
      throw new BadRequestException('give either cron or everyMs, not both');
    }
    const changed: ScheduleRow = {
      ...row,
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.cron !== undefined ? { cron: dto.cron, everyMs: null } : {}),
      ...(dto.everyMs !== undefined ? { everyMs: dto.everyMs, cron: null } : {}),
      ...(dto.tz !== undefined ? { tz: dto.tz } : {}),
      ...(dto.target !== undefined ? { target: dto.target } : {}),
      ...(dto.scenario !== undefined ? { scenario: dto.scenario } : {}),
      ...(dto.options !== undefined ? { options: JSON.stringify(dto.options) } : {}),
      ...(dto.enabled !== undefined ? { enabled: dto.enabled } : {}),
      updatedAt: new Date(this.clock.now()).toISOString(),
    };
    await this.check(changed);
    await this.save(changed);
    const fields = Object.entries(dto)
      .filter(([, value]) => value !== undefined)
      .map(([field]) => field);
    await this.audit.record(
      { type: 'ScheduleChanged', data: { scheduleId: id, name: changed.name, changed: fields, definition: definitionOf(changed) } },
      actor,
    );
    return this.describe(changed);
  }

  async remove(id: string, actor: string): Promise<void> {
    const row = await this.find(id);
    // The definition goes first: a reconciliation in between must not bring its scheduler back.
    await this.rows.delete(row.id);
    await this.drills.queue.removeJobScheduler(row.id);
    await this.audit.record({ type: 'ScheduleDeleted', data: { scheduleId: row.id, name: row.name } }, actor);
  }

  /** Who created, changed and deleted schedules, newest first, from the audit log. */
  async changes(scheduleId?: string): Promise<ScheduleChangeDto[]> {
    return (await this.audit.changes(scheduleId)).map((event) => ({
      position: event.position,
      type: event.type,
      scheduleId: event.data.scheduleId,
      name: event.data.name,
      actor: event.actor,
      occurredAt: event.occurredAt,
      ...('changed' in event.data ? { changed: event.data.changed } : {}),
      ...('definition' in event.data ? { definition: event.data.definition } : {}),
    }));
  }

  private async find(id: string): Promise<ScheduleRow> {
    const row = await this.rows.byId(id);
    if (!row) {
      throw new ScheduleNotFoundError(id);
    }
    return row;
  }

  /** Everything a definition must satisfy before it is stored; nothing is changed when it fails. */
  private async check(row: ScheduleRow): Promise<void> {
    if ((row.cron === null) === (row.everyMs === null)) {
      throw new BadRequestException('give either cron or everyMs, not both or neither');
    }
    this.targets.get(row.target);
    try {
      // Checked with everyMs too: a bad zone stored now would be refused only once someone switches to cron.
      checkTimeZone(row.tz);
      checkCadence(cadenceOf(row), this.config.scheduleMinIntervalMs, new Date(this.clock.now()));
    } catch (error) {
      throw error instanceof CadenceError ? new BadRequestException(error.message) : error;
    }
    const clash = await this.rows.byName(row.name);
    if (clash && clash.id !== row.id) {
      throw new ScheduleNameTakenError(row.name);
    }
  }

  private async save(row: ScheduleRow): Promise<void> {
    await this.rows.save(row);
    if (row.enabled) {
      await this.upsertScheduler(row);
    } else {
      await this.drills.queue.removeJobScheduler(row.id);
    }
  }

  private async upsertScheduler(row: ScheduleRow): Promise<void> {
    const data: ScheduledDrillJobData = { scheduleId: row.id };
    await this.drills.queue.upsertJobScheduler(row.id, row.cron !== null ? { pattern: row.cron, tz: row.tz } : { every: row.everyMs! }, {
      name: SCHEDULED_DRILL_JOB,
      data,
      opts: { removeOnComplete: 1000, removeOnFail: 1000 },
    });
  }

  private async describe(row: ScheduleRow): Promise<ScheduleDto> {
    let nextRuns: string[] = [];
    if (row.enabled) {
      const scheduler = await this.drills.queue.getJobScheduler(row.id);
      const first = scheduler?.next ? new Date(scheduler.next) : undefined;
      nextRuns = upcomingRuns(cadenceOf(row), new Date(this.clock.now()), SHOWN_RUNS, first).map((run) => run.toISOString());
    }
    return {
      id: row.id,
      name: row.name,
      ...(row.cron !== null ? { cron: row.cron } : {}),
      ...(row.everyMs !== null ? { everyMs: row.everyMs } : {}),
      tz: row.tz,
      target: row.target,
      scenario: row.scenario as ScenarioName,
      options: JSON.parse(row.options) as ScheduleOptionsDto,
      enabled: row.enabled,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      nextRuns,
    };
  }
}

function cadenceOf(row: Pick<ScheduleRow, 'cron' | 'everyMs' | 'tz'>): Cadence {
  return row.cron !== null ? { cron: row.cron, tz: row.tz } : { everyMs: row.everyMs! };
}
