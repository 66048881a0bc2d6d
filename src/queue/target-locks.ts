import { AppError, errorMessage } from '../common/app-error.js';

/**
 * Who holds a target: the drill that was requested on it (a reservation) or the drill a worker is
 * running on it (a lease with a fencing token). Lives with the queue (its Redis or its
 * PostgreSQL), so that every service instance sharing the queue sees the same holder.
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

/** The locks' store failed under a command; transient when the failure may clear (a dropped connection). */
export class LockStoreError extends AppError {
  readonly code = 'LOCK_STORE_FAILED';

  constructor(
    cause: unknown,
    override readonly transient: boolean,
  ) {
    super(errorMessage(cause), { cause });
  }
}

export interface TargetLockSettings {
  /** How long a lease lives without renewal: the longest a crashed worker keeps a target. */
  readonly leaseMs: number;
  /** How long a requested drill holds its target before a worker takes it over. */
  readonly reservationMs: number;
}

/**
 * One drill per target, across every service instance that shares the queue. A holder is stored
 * as `<drillId>` (a reservation) or `<drillId>:<token>` (a lease), with an expiry; each store
 * (`RedisTargetLocks`, `PostgresTargetLocks`) makes every change below atomic.
 */
export abstract class TargetLocks {
  constructor(readonly settings: TargetLockSettings) {}

  /** Reserves the target for a requested drill; answers the holder instead when there is one. */
  async reserve(target: string, drillId: string): Promise<{ reserved: true } | { reserved: false; holder: TargetHolder }> {
    if (await this.reserveIfFree(target, drillId)) {
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
    const value = await this.heldBy(target);
    return value === undefined ? undefined : parseHolder(value);
  }

  /**
   * Takes the lease for a drill: granted when the target is free or reserved or leased for this
   * same drill (a worker resuming it after a crash), each time with a new, larger fencing token,
   * and never below `minToken`: the drill passes one past the token its log last recorded, so
   * that its tokens keep growing even when the queue's store lost the counter.
   */
  async acquire(target: string, drillId: string, minToken = 1): Promise<Acquired> {
    const taken = await this.takeLease(target, drillId, minToken);
    if ('token' in taken) {
      return { acquired: true, lease: new Lease(this.slot(target), target, drillId, taken.token, this.settings.leaseMs) };
    }
    return { acquired: false, holder: parseHolder(taken.heldBy) };
  }

  /** Drops a reservation that never became a lease (a request whose drill could not be queued). */
  async cancelReservation(target: string, drillId: string): Promise<void> {
    await this.slot(target).release(drillId);
  }

  /** Stores `drillId` as the holder for `reservationMs` unless a live holder is there; true when stored. */
  protected abstract reserveIfFree(target: string, drillId: string): Promise<boolean>;
  /** The live holder's value, if any. */
  protected abstract heldBy(target: string): Promise<string | undefined>;
  /**
   * Unless another drill's live holder is there: raises the target's fence counter (to at least
   * `minToken`) and stores `<drillId>:<token>` for `leaseMs`.
   */
  protected abstract takeLease(target: string, drillId: string, minToken: number): Promise<{ token: number } | { heldBy: string }>;
  protected abstract slot(target: string): HolderSlot;
}

/** One target's holder in the store, changed only while it still holds the value its caller stored. */
export interface HolderSlot {
  /** Extends the holder's life to `ms`; false when `value` no longer holds. */
  renew(value: string, ms: number): Promise<boolean>;
  /** Replaces `value` by `replacement` for `ms`, when `value` still holds. */
  hold(value: string, replacement: string, ms: number): Promise<void>;
  /** Removes `value`, when it still holds. */
  release(value: string): Promise<void>;
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
    private readonly slot: HolderSlot,
    readonly target: string,
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
    const renewed = await this.slot.renew(this.value, this.leaseMs);
    this.lost ||= !renewed;
    return renewed;
  }

  /**
   * Throws `LeaseLostError` unless this lease still holds the target, or `LockStoreError` when
   * the locks' store did not answer; extends the lease when it holds.
   */
  async assertHeld(): Promise<void> {
    if (this.lost) {
      throw new LeaseLostError(this.target, this.drillId, this.token);
    }
    let renewed: boolean;
    try {
      renewed = await this.renew();
    } catch (error) {
      throw error instanceof LockStoreError ? error : new LockStoreError(error, false);
    }
    if (!renewed) {
      throw new LeaseLostError(this.target, this.drillId, this.token);
    }
  }

  async release(): Promise<void> {
    this.stopRenewing();
    await this.slot.release(this.value);
  }

  /** Turns the lease into a reservation for the same drill, which its next worker's `acquire` accepts. */
  async holdForResume(ms: number): Promise<void> {
    this.stopRenewing();
    await this.slot.hold(this.value, this.drillId, ms);
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
