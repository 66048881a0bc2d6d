/**
 * Whether a PostgreSQL session's statements still run under its `statement_timeout`, as the
 * statements it has sent say: a `SET statement_timeout = 0` lifts it for the session until a
 * `RESET` or another value, a `SET LOCAL statement_timeout = 0` until the transaction ends. A
 * migration or a rebuild lifts it on purpose, and may then run quiet for as long as it needs.
 */
export interface StatementTimeoutScope {
  readonly liftedForSession: boolean;
  readonly liftedForTransaction: boolean;
}

export const UNDER_STATEMENT_TIMEOUT: StatementTimeoutScope = { liftedForSession: false, liftedForTransaction: false };

const SET_TIMEOUT = /^\s*SET\s+(SESSION\s+|LOCAL\s+)?statement_timeout\s*(?:=|TO)\s*'?(\w+)'?\s*;?\s*$/i;
const RESET_TIMEOUT = /^\s*RESET\s+(statement_timeout|ALL)\s*;?\s*$/i;
const TRANSACTION_END = /^\s*(COMMIT|ROLLBACK|END|ABORT)\b/i;

/** The scope once `statement` has been sent; any statement not about the timeout leaves it as it was. */
export function scopeAfter(scope: StatementTimeoutScope, statement: string): StatementTimeoutScope {
  const set = SET_TIMEOUT.exec(statement);
  if (set) {
    const lifted = set[2] === '0';
    return set[1]?.trim().toUpperCase() === 'LOCAL'
      ? { ...scope, liftedForTransaction: lifted }
      : { liftedForSession: lifted, liftedForTransaction: false };
  }
  if (RESET_TIMEOUT.test(statement)) {
    return { liftedForSession: false, liftedForTransaction: false };
  }
  if (TRANSACTION_END.test(statement)) {
    return { ...scope, liftedForTransaction: false };
  }
  return scope;
}

export function isUnderStatementTimeout(scope: StatementTimeoutScope): boolean {
  return !scope.liftedForSession && !scope.liftedForTransaction;
}
