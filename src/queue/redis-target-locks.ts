import type { Redis } from 'ioredis';
import { isTransientRedisFailure } from '../common/redis-failure.js';
import { LockStoreError, TargetLocks, type HolderSlot, type TargetLockSettings } from './target-locks.js';

const ACQUIRE = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 36) ~= ARGV[1] then return {0, held} end
local token = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if token < floor then
  token = floor
  redis.call('SET', KEYS[2], token)
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return {1, token}`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const HOLD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The target locks in the queue's Redis: a key per holder with a TTL, a counter per fence, Lua for every check-and-set. */
export class RedisTargetLocks extends TargetLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    settings: TargetLockSettings,
  ) {
    super(settings);
  }

  private key(target: string): string {
    return `${this.prefix}:target:${target}:holder`;
  }

  private fenceKey(target: string): string {
    return `${this.prefix}:target:${target}:fence`;
  }

  protected async reserveIfFree(target: string, drillId: string): Promise<boolean> {
    return (await this.redis.set(this.key(target), drillId, 'PX', this.settings.reservationMs, 'NX')) === 'OK';
  }

  protected async heldBy(target: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(target))) ?? undefined;
  }

  protected async takeLease(target: string, drillId: string, minToken: number): Promise<{ token: number } | { heldBy: string }> {
    const [granted, value] = (await this.redis.eval(
      ACQUIRE,
      2,
      this.key(target),
      this.fenceKey(target),
      drillId,
      this.settings.leaseMs,
      minToken,
    )) as [number, string | number];
    return granted === 1 ? { token: Number(value) } : { heldBy: String(value) };
  }

  protected slot(target: string): HolderSlot {
    const key = this.key(target);
    return {
      renew: async (value, ms) => {
        try {
          return (await this.redis.eval(RENEW, 1, key, value, ms)) === 1;
        } catch (error) {
          throw new LockStoreError(error, isTransientRedisFailure(error));
        }
      },
      hold: async (value, replacement, ms) => void (await this.redis.eval(HOLD, 1, key, value, replacement, ms)),
      release: async (value) => void (await this.redis.eval(RELEASE, 1, key, value)),
    };
  }
}
