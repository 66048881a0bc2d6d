import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isPostgres } from '../database/data-source.js';
import { DatabaseConnection } from '../database/database-connection.js';
import { AuditController } from './audit.controller.js';
import { EventStore } from './event-store.js';
import { PostgresEventStore } from './postgres-event-store.js';
import type { PostgresProjection } from './postgres-projection.js';
import type { Projection } from './projection.js';
import { SqliteEventStore } from './sqlite-event-store.js';

/** The projections kept beside the log, made once the database is open, for each database. */
export interface ProjectionFactories {
  readonly sqlite: readonly ((dataSource: DataSource) => Projection)[];
  readonly postgres: readonly ((dataSource: DataSource) => PostgresProjection)[];
}

/** The audit log and the projections kept beside it, for the whole application. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(projections: ProjectionFactories): DynamicModule {
    return {
      module: EventsModule,
      controllers: [AuditController],
      providers: [
        {
          provide: EventStore,
          inject: [DataSource, DatabaseConnection],
          useFactory: async (dataSource: DataSource, connection: DatabaseConnection) => {
            const store = isPostgres(dataSource)
              ? new PostgresEventStore(
                  dataSource,
                  projections.postgres.map((project) => project(dataSource)),
                  () => connection.isOpen,
                )
              : new SqliteEventStore(
                  dataSource,
                  projections.sqlite.map((project) => project(dataSource)),
                );
            // PostgreSQL down at boot: the projections are checked once it is reached, before the store takes appends.
            await connection.onceOpen(() => store.rebuildStaleProjections());
            return store;
          },
        },
      ],
      exports: [EventStore],
    };
  }
}
