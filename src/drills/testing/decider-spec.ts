import { expect } from 'vitest';

/** A decision as a spec sees it: a state folded from events, and what is decided on a signal. */
export interface Decider<Event, State, Signal, Action> {
  readonly fold: (events: readonly Event[]) => State;
  readonly decide: (state: State, signal: Signal) => Action;
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * Given/when/then for a pure decision, after emmett's `DeciderSpecification`: given these events,
 * when this signal, then this action, or this error.
 */
export const DeciderSpecification = {
  for<Event, State, Signal, Action>(decider: Decider<Event, State, Signal, Action>) {
    return (...given: Event[]) => ({
      when: (signal: Signal) => {
        const decided = () => decider.decide(decider.fold(given), signal);
        return {
          then: (expected: Action): void => {
            expect(decided()).toEqual(expected);
          },
          thenThrows: (error: ErrorClass, message?: string | RegExp): void => {
            expect(decided).toThrow(error);
            if (message !== undefined) {
              expect(decided).toThrow(message);
            }
          },
        };
      },
    });
  },
};
