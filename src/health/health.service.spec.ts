import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatabaseConnection } from '../database/database-connection.js';
import { Docker } from '../docker/docker-engine.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { HEALTH_CACHE_MS, HealthService } from './health.service.js';

describe('HealthService', () => {
  afterEach(() => vi.useRealTimers());

  it('asks each dependency once however many checks come within HEALTH_CACHE_MS, and again after', async () => {
    const query = vi.fn(async () => [{ 1: 1 }]);
    const durability = vi.fn(async () => ({ appendOnly: true, savePoints: '', evictionPolicy: 'noeviction' }));
    const dockerPing = vi.fn(async () => 'OK');
    const module = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        HealthService,
        { provide: DataSource, useValue: { query } },
        { provide: DatabaseConnection, useValue: { problem: undefined, shown: 'SQLite at :memory:' } },
        { provide: DrillQueue, useValue: { durability } },
        { provide: Docker, useValue: { ping: dockerPing } },
      ],
    }).compile();
    const health = module.get(HealthService);
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now });

    const reports = await Promise.all(Array.from({ length: 20 }, () => health.check()));
    await health.check();
    expect(reports[0]).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, queue: { status: 'up', durable: true }, docker: { status: 'up' } },
    });
    expect([query, durability, dockerPing].map((ask) => ask.mock.calls.length)).toEqual([1, 1, 1]);

    vi.setSystemTime(now + HEALTH_CACHE_MS + 1);
    await health.check();
    expect([query, durability, dockerPing].map((ask) => ask.mock.calls.length)).toEqual([2, 2, 2]);
    await module.close();
  });
  it('reports the queue up but says why its Redis could lose jobs', async () => {
    const module = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        HealthService,
        { provide: DataSource, useValue: { query: async () => [{ 1: 1 }] } },
        { provide: DatabaseConnection, useValue: { problem: undefined, shown: 'SQLite at :memory:' } },
        {
          provide: DrillQueue,
          useValue: { durability: async () => ({ appendOnly: false, savePoints: '', evictionPolicy: 'allkeys-lru' }) },
        },
        { provide: Docker, useValue: { ping: async () => 'OK' } },
      ],
    }).compile();
    const report = await module.get(HealthService).check();
    expect(report.status).toBe('ok');
    expect(report.info?.queue).toMatchObject({
      status: 'up',
      warnings: [
        "maxmemory-policy is allkeys-lru: Redis may evict the queue's keys; set noeviction",
        'no persistence (appendonly no, no save points): a restart loses every job; set appendonly yes with appendfsync everysec',
      ],
    });
    await module.close();
  });
});
