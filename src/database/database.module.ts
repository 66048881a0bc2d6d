import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DrillSummaryRepository } from '../drills/drill-summary.repository.js';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import { ScheduleRepository } from '../schedules/schedule.repository.js';
import { dataSourceOptions } from './data-source.js';

/**
 * The database, migrated at boot, and one repository per table for every module. A store on
 * another database provides its own repositories here.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databasePath),
    }),
  ],
  providers: [DrillEventRepository, DrillSummaryRepository, ScheduleRepository],
  exports: [DrillEventRepository, DrillSummaryRepository, ScheduleRepository],
})
export class DatabaseModule {}
