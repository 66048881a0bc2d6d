/** The one source of time for drills, so that logic can be tested with a clock of its own. */
export interface Clock {
  /** Wall-clock time in epoch milliseconds, with sub-millisecond precision where the platform has it. */
  now(): number;
}

export const CLOCK = Symbol('Clock');

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};
