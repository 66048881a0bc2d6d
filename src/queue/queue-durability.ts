import { parseInfo } from '../cluster/redis-info.parser.js';

/** What the queue's Redis says of its persistence and eviction. */
export interface QueueDurability {
  /** `aof_enabled` in `INFO persistence`. */
  readonly appendOnly: boolean;
  /** The `save` setting (RDB snapshot points); undefined where `CONFIG GET` is refused, as on some managed services. */
  readonly savePoints: string | undefined;
  /** `maxmemory_policy` in `INFO memory`. */
  readonly evictionPolicy: string;
}

/** Reads `INFO persistence`, `INFO memory` and `CONFIG GET save` replies into what matters for durability. */
export function readQueueDurability(persistenceInfo: string, memoryInfo: string, saveSetting: string | undefined): QueueDurability {
  return {
    appendOnly: parseInfo(persistenceInfo).get('aof_enabled') === '1',
    savePoints: saveSetting,
    evictionPolicy: parseInfo(memoryInfo).get('maxmemory_policy') ?? 'unknown',
  };
}

/**
 * Why the queue's Redis could lose jobs, or nothing: BullMQ's advice for production is an
 * append-only file (`appendfsync everysec`) and `maxmemory-policy noeviction`. Jobs lost this way
 * do not lose drills (the audit log queues every unfinished drill again), but schedules' firings
 * and webhook deliveries in the queue would be gone.
 */
export function queueDurabilityProblems(durability: QueueDurability): string[] {
  const problems: string[] = [];
  if (durability.evictionPolicy !== 'noeviction') {
    problems.push(`maxmemory-policy is ${durability.evictionPolicy}: Redis may evict the queue's keys; set noeviction`);
  }
  if (!durability.appendOnly) {
    problems.push(
      durability.savePoints === ''
        ? 'no persistence (appendonly no, no save points): a restart loses every job; set appendonly yes with appendfsync everysec'
        : 'no append-only file: a restart loses the jobs since the last snapshot; set appendonly yes with appendfsync everysec',
    );
  }
  return problems;
}
