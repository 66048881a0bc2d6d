import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { errorMessage } from '../common/app-error.js';
import { throttled } from '../common/warning-throttle.js';
import { APP_CONFIG, withoutCredentials, type AppConfig } from '../config/app-config.js';
import { EventStoreUnavailableError } from '../events/event-store.js';
import { migrated } from './data-source.js';

/** How often a database that was down at boot is tried again. */
export const RECONNECT_INTERVAL_MS = 1_000;

/**
 * Opens the data source for the service. PostgreSQL that cannot be reached leaves it closed, for
 * `DatabaseConnection` to open later; any other failure (a migration, SQLite's file) stops the boot.
 */
export async function openAtBoot(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new OpenedLater(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    if (options.type !== 'postgres') {
      throw error;
    }
    new Logger('Database').warn(`PostgreSQL is unavailable at boot (${errorMessage(error)}); starting without it`);
    await dataSource.describeEntities();
    return dataSource;
  }
  return migrated(dataSource);
}

/** A data source that can describe its tables before it connects: the repositories are made from that at boot. */
class OpenedLater extends DataSource {
  async describeEntities(): Promise<void> {
    await this.buildMetadatas();
  }
}

/**
 * Keeps the data source open: when PostgreSQL was not there at boot, the service starts without
 * it and this keeps trying in the background: until it opens, the health check names the
 * database as down and nothing is recorded (an `EventStoreUnavailableError`). Once it opens, its
 * migrations run and then what waited for it (`onceOpen`), before it counts as open.
 */
@Injectable()
export class DatabaseConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly warn = throttled((message) => this.logger.warn(message));
  private readonly waiting: (() => Promise<unknown>)[] = [];
  private open: boolean;
  private lastError = 'not connected yet';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The database as it may be shown: its URL without user and password, or the SQLite file. */
  readonly shown: string;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.shown = config.databaseUrl ? `PostgreSQL at ${withoutCredentials(config.databaseUrl)}` : `SQLite at ${config.databasePath}`;
    this.open = dataSource.isInitialized;
    if (!this.open) {
      this.schedule();
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Why the database is not open, for the health report. */
  get problem(): string | undefined {
    return this.open ? undefined : `${this.shown} is unavailable: ${this.lastError}`;
  }

  /** Throws `EventStoreUnavailableError` while the database is not open. */
  assertOpen(): void {
    if (!this.open) {
      throw new EventStoreUnavailableError(`${this.shown}: ${this.lastError}`);
    }
  }

  /** Runs `work` now if the database is open, or once it opens (and before it counts as open). */
  async onceOpen(work: () => Promise<unknown>): Promise<void> {
    if (this.open) {
      await work();
    } else {
      this.waiting.push(work);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tryOpen(), RECONNECT_INTERVAL_MS);
    this.timer.unref();
  }

  private async tryOpen(): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) {
        await this.dataSource.initialize();
      }
      await migrated(this.dataSource);
      while (this.waiting.length > 0) {
        await this.waiting[0]!();
        this.waiting.shift();
      }
      this.open = true;
      this.logger.log(`${this.shown} is open`);
    } catch (error) {
      this.lastError = errorMessage(error);
      this.warn(`${this.shown} is unavailable (${this.lastError}); trying again every ${RECONNECT_INTERVAL_MS} ms`);
      if (!this.stopped) {
        this.schedule();
      }
    }
  }
}
