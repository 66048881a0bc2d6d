import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { errorMessage } from '../common/app-error.js';
import { DatabaseConnection } from '../database/database-connection.js';
import { Docker } from '../docker/docker-engine.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { queueDurabilityProblems } from '../queue/queue-durability.js';

const CHECK_TIMEOUT_MS = 2000;
/**
 * How long one answer of each dependency stands: the endpoint is public, and a flood of health
 * requests then costs one query, one ping and one Docker call a second, however many there are.
 */
export const HEALTH_CACHE_MS = 1000;

/**
 * The service's dependencies, each asked with a timeout, at most once per `HEALTH_CACHE_MS` (the
 * report marks an answer reused so with `cachedResponse`): the audit database (named, without its
 * credentials, when it is down), the queue's store (its Redis, or its PostgreSQL with
 * `QUEUE_BACKEND=postgres`), the Docker engine.
 */
@Injectable()
export class HealthService {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
    @Inject(DrillQueue) private readonly queue: DrillQueue,
    @Inject(Docker) private readonly docker: Docker,
  ) {}

  /** Resolves with the report when every dependency answers; rejects with a 503 carrying the report otherwise. */
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            const problem = this.connection.problem;
            if (problem) {
              throw new Error(problem);
            }
            try {
              await this.dataSource.query('SELECT 1');
            } catch (error) {
              throw new Error(`${this.connection.shown}: ${errorMessage(error)}`, { cause: error });
            }
          })
          .withTimeout(CHECK_TIMEOUT_MS)
          .cacheFor(HEALTH_CACHE_MS),
      () =>
        this.indicators
          .check('queue')
          // Up while it answers; what could make it lose jobs is said, not failed on.
          .attempt(async () => {
            const durability = await this.queue.durability();
            const warnings = durability ? queueDurabilityProblems(durability) : [];
            return { backend: this.queue.backend, ...(warnings.length > 0 ? { warnings } : { durable: true }) };
          })
          .withTimeout(CHECK_TIMEOUT_MS)
          .cacheFor(HEALTH_CACHE_MS),
      () =>
        this.indicators
          .check('docker')
          .attempt(async () => void (await this.docker.ping()))
          .withTimeout(CHECK_TIMEOUT_MS)
          .cacheFor(HEALTH_CACHE_MS),
    ]);
  }
}
