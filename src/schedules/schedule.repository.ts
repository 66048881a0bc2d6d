import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { ScheduleRow } from './schedule.entity.js';

/** The `schedules` table: the definitions, which are the truth the queue's schedulers follow. */
@Injectable()
export class ScheduleRepository {
  private readonly rows: Repository<ScheduleRow>;

  constructor(@Inject(DataSource) dataSource: DataSource) {
    this.rows = dataSource.getRepository(ScheduleRow);
  }

  /** Every definition, oldest first. */
  async all(): Promise<ScheduleRow[]> {
    return this.rows.find({ order: { createdAt: 'ASC' } });
  }

  async byId(id: string): Promise<ScheduleRow | undefined> {
    return (await this.rows.findOneBy({ id })) ?? undefined;
  }

  async byName(name: string): Promise<ScheduleRow | undefined> {
    return (await this.rows.findOneBy({ name })) ?? undefined;
  }

  /** Inserts the definition, or replaces the one with its id. */
  async save(row: ScheduleRow): Promise<void> {
    await this.rows.save(row);
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }
}
