import { describe, expect, it } from 'vitest';
import { queueDurabilityProblems, readQueueDurability } from './queue-durability.js';

const persistence = (aof: 0 | 1) => `# Persistence\r\nloading:0\r\naof_enabled:${aof}\r\n`;
const memory = (policy: string) => `# Memory\r\nused_memory:1000\r\nmaxmemory_policy:${policy}\r\n`;

describe('the queue Redis durability check', () => {
  it('given AOF and noeviction, then finds nothing wrong', () => {
    expect(queueDurabilityProblems(readQueueDurability(persistence(1), memory('noeviction'), ''))).toEqual([]);
  });

  it('given no AOF and no save points, then says a restart loses every job', () => {
    expect(queueDurabilityProblems(readQueueDurability(persistence(0), memory('noeviction'), ''))).toEqual([
      'no persistence (appendonly no, no save points): a restart loses every job; set appendonly yes with appendfsync everysec',
    ]);
  });

  it('given snapshots only, or a save setting it may not read, then says jobs since the last snapshot are lost', () => {
    for (const save of ['3600 1 300 100', undefined]) {
      expect(queueDurabilityProblems(readQueueDurability(persistence(0), memory('noeviction'), save))).toEqual([
        'no append-only file: a restart loses the jobs since the last snapshot; set appendonly yes with appendfsync everysec',
      ]);
    }
  });

  it('given an evicting policy, then names it', () => {
    expect(queueDurabilityProblems(readQueueDurability(persistence(1), memory('allkeys-lru'), ''))).toEqual([
      "maxmemory-policy is allkeys-lru: Redis may evict the queue's keys; set noeviction",
    ]);
  });
});
