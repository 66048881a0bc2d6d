import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one request or one drill carries. */
export interface LogFields {
  readonly correlationId?: string;
  readonly drillId?: string;
}

export const logContext = new AsyncLocalStorage<LogFields>();

/** Runs `work` with these fields added to every log line it writes, however deep. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, work);
}
