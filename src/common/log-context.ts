import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one request or one drill carries. */
export interface LogFields {
  correlationId?: string;
  drillId?: string;
}

export const logContext = new AsyncLocalStorage<LogFields>();

/** Runs `work` with these fields added to every log line it writes, however deep. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, work);
}

/**
 * Adds fields to the lines still to come in the current request or drill, such as the id of the
 * drill a request has just created, which its access line then carries too.
 */
export function addLogFields(fields: LogFields): void {
  const current = logContext.getStore();
  if (current) {
    Object.assign(current, fields);
  }
}

/** The current request's or drill's correlation id, to hand on to work done elsewhere for it. */
export function currentCorrelationId(): string | undefined {
  return logContext.getStore()?.correlationId;
}

/** The fields of the current request or drill, for pino's `mixin`: a copy, so a line keeps what held when it was written. */
export function currentLogFields(): LogFields {
  return { ...logContext.getStore() };
}
