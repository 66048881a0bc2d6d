import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SafetyModule } from './safety/safety.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { pinoHttpOptions } from './common/pino-options.js';
import { DatabaseModule } from './database/database.module.js';
import { PostgresDrillSummaryProjection } from './drills/drill-summary.postgres-projection.js';
import { DrillSummaryProjection } from './drills/drill-summary.projection.js';
import { DrillsModule } from './drills/drills.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { StatsModule } from './stats/stats.module.js';
import { WorkerModule } from './worker/worker.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        ...(config.logFormat === 'json' ? [LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(config.logLevel) })] : []),
        DatabaseModule,
        EventsModule.forRoot({
          sqlite: [(dataSource) => new DrillSummaryProjection(dataSource)],
          postgres: [(dataSource) => new PostgresDrillSummaryProjection(dataSource)],
        }),
        DrillsModule,
        SafetyModule,
        StatsModule,
        SchedulesModule,
        HealthModule,
        AdminModule,
        MetricsModule,
        ...(config.workerEnabled ? [WorkerModule] : []),
      ],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
