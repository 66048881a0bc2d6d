import { AppError } from '../common/app-error.js';
import { CronExpressionParser } from 'cron-parser';

/** When a schedule fires: a cron pattern read in a time zone, or a fixed interval. */
export type Cadence = { readonly cron: string; readonly tz: string } | { readonly everyMs: number };

export class CadenceError extends AppError {
  readonly code = 'CADENCE_INVALID';
}

/** How many upcoming firings a cron pattern is checked over for the shortest gap between two. */
const GAPS_CHECKED = 48;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Refuses a time zone that is not an IANA one, naming the field. */
export function checkTimeZone(tz: string): void {
  if (!validTimeZone(tz)) {
    throw new CadenceError(`tz ${JSON.stringify(tz)} is not an IANA time zone`);
  }
}

/**
 * Refuses a cadence that cannot be parsed or fires more often than `minIntervalMs`; the message
 * names the field and says why.
 */
export function checkCadence(cadence: Cadence, minIntervalMs: number, now: Date): void {
  if ('everyMs' in cadence) {
    if (cadence.everyMs < minIntervalMs) {
      throw new CadenceError(`everyMs ${cadence.everyMs} is more frequent than the allowed minimum of ${minIntervalMs} ms`);
    }
    return;
  }
  checkTimeZone(cadence.tz);
  // cron-parser fills in fields left out, so that `* * *` would quietly mean every minute.
  const fields = cadence.cron.trim().split(/\s+/).length;
  if (!cadence.cron.trim().startsWith('@') && fields !== 5 && fields !== 6) {
    throw new CadenceError(
      `cron ${JSON.stringify(cadence.cron)} is not a valid pattern: it has ${fields} field(s); give 5 (minute hour day month weekday) or 6 (seconds first)`,
    );
  }
  const runs = upcomingRuns(cadence, now, GAPS_CHECKED + 1);
  for (let index = 1; index < runs.length; index++) {
    const gap = runs[index]!.getTime() - runs[index - 1]!.getTime();
    if (gap < minIntervalMs) {
      throw new CadenceError(
        `cron ${JSON.stringify(cadence.cron)} fires ${gap} ms apart, more often than the allowed minimum of ${minIntervalMs} ms`,
      );
    }
  }
}

/** The next `count` firings after `now`. For an interval they follow `firstRun` when it is known. */
export function upcomingRuns(cadence: Cadence, now: Date, count: number, firstRun?: Date): Date[] {
  if ('everyMs' in cadence) {
    const first = firstRun ?? new Date(now.getTime() + cadence.everyMs);
    return Array.from({ length: count }, (_, index) => new Date(first.getTime() + index * cadence.everyMs));
  }
  let expression;
  try {
    expression = CronExpressionParser.parse(cadence.cron, { tz: cadence.tz, currentDate: now });
  } catch (error) {
    throw new CadenceError(
      `cron ${JSON.stringify(cadence.cron)} is not a valid pattern: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return Array.from({ length: count }, () => expression.next().toDate());
}
