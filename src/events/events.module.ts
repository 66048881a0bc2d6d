import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { AuditController } from './audit.controller.js';
import { EventStore } from './event-store.js';
import type { Projection } from './projection.js';

/** The SQLite audit log and the projections kept beside it, for the whole application. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(projections: readonly Projection[]): DynamicModule {
    return {
      module: EventsModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => dataSourceOptions(config.databasePath),
        }),
      ],
      controllers: [AuditController],
      providers: [
        {
          provide: EventStore,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            const store = new EventStore(dataSource, projections);
            store.rebuildStaleProjections();
            return store;
          },
        },
      ],
      exports: [EventStore],
    };
  }
}
