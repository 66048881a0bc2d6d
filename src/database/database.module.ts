import { Global, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PostgresDrillSummaryRepository } from '../drills/drill-summary.postgres-repository.js';
import { DrillSummaryReader } from '../drills/drill-summary.reader.js';
import { DrillSummaryRepository } from '../drills/drill-summary.repository.js';
import { PostgresDrillEventRepository } from '../events/drill-event.postgres-repository.js';
import { DrillEventReader } from '../events/drill-event.reader.js';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import { ScheduleRepository } from '../schedules/schedule.repository.js';
import { DatabaseConnection, openAtBoot } from './database-connection.js';
import { dataSourceOptions, isPostgres } from './data-source.js';

/** The readers of the log and its projections, on whichever database the data source is. */
const READERS: Provider[] = [
  {
    provide: DrillEventReader,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) =>
      isPostgres(dataSource) ? new PostgresDrillEventRepository(dataSource) : new DrillEventRepository(dataSource),
  },
  {
    provide: DrillSummaryReader,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) =>
      isPostgres(dataSource) ? new PostgresDrillSummaryRepository(dataSource) : new DrillSummaryRepository(dataSource),
  },
];

/**
 * The database (SQLite, or PostgreSQL when `DATABASE_URL` is set), migrated at boot, and the
 * repositories every module reads through, behind the same classes on both.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      // Opened by `openAtBoot`, which lets the service start while PostgreSQL is down.
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), manualInitialization: true }),
      dataSourceFactory: (options) => openAtBoot(options!),
    }),
  ],
  providers: [...READERS, ScheduleRepository, DatabaseConnection],
  exports: [DrillEventReader, DrillSummaryReader, ScheduleRepository, DatabaseConnection],
})
export class DatabaseModule {}
