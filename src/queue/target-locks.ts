import { AppError, errorMessage } from '../common/app-error.js';
import { isTransientRedisFailure } from '../common/redis-failure.js';
import { type Redis } from 'ioredis';

/**
 * Who holds a target: the drill that was requested on it (a reservation) or the drill a worker is
 * running on it (a lease with a fencing token). Lives in the queue's Redis, so that every service
 * instance sharing that Redis sees the same holder.
 */
export interface TargetHolder {
  readonly drillId: string;
  /** Present once a worker has taken the lease. */
  readonly token?: number;
}

export type Acquired = { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly holder: TargetHolder };

export class LeaseLostError extends AppError {
  readonly code = 'LEASE_LOST';

  constructor(
    readonly target: string,
    readonly drillId: string,
    readonly token: number,
  ) {
    super(`drill ${drillId} lost its lease on target ${target} (fencing token ${token}); another worker holds it now`);
  }
}

/** The locks' Redis failed under a command; transient when the failure may clear (a dropped connection). */
export class LockStoreError extends AppError {
  readonly code = 'LOCK_STORE_FAILED';
  override readonly transient: boolean;

  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
    this.transient = isTransientRedisFailure(cause);
  }
}

// Value layout: "<drillId>" for a reservation, "<drillId>:<token>" for a lease.
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

export interface TargetLockSettings {
  /** How long a lease lives without renewal: the longest a crashed worker keeps a target. */
  readonly leaseMs: number;
  /** How long a requested drill holds its target before a worker takes it over. */
  readonly reservationMs: number;
}

/** One drill per target, across every service instance that shares the queue's Redis. */
export class TargetLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly settings: TargetLockSettings,
  ) {}

  private key(target: string): string {
    return `${this.prefix}:target:${target}:holder`;
  }

  private fenceKey(target: string): string {
    return `${this.prefix}:target:${target}:fence`;
  }

  /** Reserves the target for a requested drill; answers the holder instead when there is one. */
  async reserve(target: string, drillId: string): Promise<{ reserved: true } | { reserved: false; holder: TargetHolder }> {
    const set = await this.redis.set(this.key(target), drillId, 'PX', this.settings.reservationMs, 'NX');
    if (set === 'OK') {
      return { reserved: true };
    }
    const holder = await this.holder(target);
    // The holder may have let go between the two commands: try once more.
    if (!holder) {
      return this.reserve(target, drillId);
    }
    return { reserved: false, holder };
  }

  async holder(target: string): Promise<TargetHolder | undefined> {
    const value = await this.redis.get(this.key(target));
    return value === null ? undefined : parseHolder(value);
  }

  /**
   * Takes the lease for a drill: granted when the target is free or reserved or leased for this
   * same drill (a worker resuming it after a crash), each time with a new, larger fencing token,
   * and never below `minToken`: the drill passes one past the token its log last recorded, so
   * that its tokens keep growing even when the queue's Redis lost the counter.
   */
  async acquire(target: string, drillId: string, minToken = 1): Promise<Acquired> {
    const [granted, value] = (await this.redis.eval(
      ACQUIRE,
      2,
      this.key(target),
      this.fenceKey(target),
      drillId,
      this.settings.leaseMs,
      minToken,
    )) as [number, string | number];
    if (granted === 1) {
      return { acquired: true, lease: new Lease(this.redis, target, this.key(target), drillId, Number(value), this.settings.leaseMs) };
    }
    return { acquired: false, holder: parseHolder(String(value)) };
  }

  /** Drops a reservation that never became a lease (a request whose drill could not be queued). */
  async cancelReservation(target: string, drillId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(target), drillId);
  }
}

/**
 * A worker's hold on a target. It renews itself in the background; `assertHeld` checks, at each
 * safe point before the drill acts, that no other worker has taken the target since.
 */
export class Lease {
  private readonly value: string;
  private renewal: NodeJS.Timeout | undefined;
  private lost = false;

  constructor(
    private readonly redis: Redis,
    readonly target: string,
    private readonly key: string,
    readonly drillId: string,
    readonly token: number,
    private readonly leaseMs: number,
  ) {
    this.value = `${drillId}:${token}`;
    this.renewal = setInterval(
      () => {
        void this.renew().catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    this.renewal.unref();
  }

  private async renew(): Promise<boolean> {
    const renewed = (await this.redis.eval(RENEW, 1, this.key, this.value, this.leaseMs)) === 1;
    this.lost ||= !renewed;
    return renewed;
  }

  /**
   * Throws `LeaseLostError` unless this lease still holds the target, or `LockStoreError` when
   * the locks' Redis did not answer; extends the lease when it holds.
   */
  async assertHeld(): Promise<void> {
    if (this.lost) {
      throw new LeaseLostError(this.target, this.drillId, this.token);
    }
    let renewed: boolean;
    try {
      renewed = await this.renew();
    } catch (error) {
      throw new LockStoreError(error);
    }
    if (!renewed) {
      throw new LeaseLostError(this.target, this.drillId, this.token);
    }
  }

  async release(): Promise<void> {
    this.stopRenewing();
    await this.redis.eval(RELEASE, 1, this.key, this.value);
  }

  /** Turns the lease into a reservation for the same drill, which its next worker's `acquire` accepts. */
  async holdForResume(ms: number): Promise<void> {
    this.stopRenewing();
    await this.redis.eval(HOLD, 1, this.key, this.value, this.drillId, ms);
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}

function parseHolder(value: string): TargetHolder {
  const [drillId, token] = value.split(':');
  return { drillId: drillId!, ...(token ? { token: Number(token) } : {}) };
}
