import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { errorMessage } from '../common/wait-for.js';
import { Docker } from '../docker/docker-engine.js';
import { DrillQueue } from '../queue/drill-queue.js';
import type { DependencyHealthDto, HealthDto } from './health.dto.js';

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DrillQueue) private readonly queue: DrillQueue,
    @Inject(Docker) private readonly docker: Docker,
  ) {}

  async check(): Promise<HealthDto> {
    const [database, queue, docker] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.queue.ping()),
      probe(() => this.docker.ping()),
    ]);
    const ok = database.ok && queue.ok && docker.ok;
    return { status: ok ? 'ok' : 'unavailable', checks: { database, queue, docker } };
  }
}

async function probe(check: () => Promise<unknown>): Promise<DependencyHealthDto> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}
