import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditController } from './audit.controller.js';
import { EventStore } from './event-store.js';
import type { Projection } from './projection.js';

/** The audit log and the projections kept beside it, for the whole application. */
@Global()
@Module({})
export class EventsModule {
  /** `projections` are made once the database is open, over its tables. */
  static forRoot(projections: readonly ((dataSource: DataSource) => Projection)[]): DynamicModule {
    return {
      module: EventsModule,
      controllers: [AuditController],
      providers: [
        {
          provide: EventStore,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            const store = new EventStore(
              dataSource,
              projections.map((project) => project(dataSource)),
            );
            store.rebuildStaleProjections();
            return store;
          },
        },
      ],
      exports: [EventStore],
    };
  }
}
