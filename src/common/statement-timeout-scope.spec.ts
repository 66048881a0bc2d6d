import { describe, expect, it } from 'vitest';
import { isUnderStatementTimeout, scopeAfter, UNDER_STATEMENT_TIMEOUT, type StatementTimeoutScope } from './statement-timeout-scope.js';

const after = (...statements: string[]): StatementTimeoutScope => statements.reduce(scopeAfter, UNDER_STATEMENT_TIMEOUT);

describe('whether a session still runs under its statement timeout', () => {
  it('is lifted for the session by a zero, until a RESET or another value', () => {
    expect(isUnderStatementTimeout(after('SET statement_timeout = 0'))).toBe(false);
    expect(isUnderStatementTimeout(after("set session statement_timeout to '0'", 'COMMIT'))).toBe(false);
    expect(isUnderStatementTimeout(after('SET statement_timeout = 0', 'SELECT pg_advisory_lock($1)', 'RESET statement_timeout'))).toBe(
      true,
    );
    expect(isUnderStatementTimeout(after('SET statement_timeout = 0', 'RESET ALL'))).toBe(true);
    expect(isUnderStatementTimeout(after('SET statement_timeout = 0', 'SET statement_timeout = 2500'))).toBe(true);
  });

  it('is lifted for the transaction by SET LOCAL, until it commits or rolls back', () => {
    const lifted = after('START TRANSACTION', 'SET LOCAL statement_timeout = 0', 'DELETE FROM drills');
    expect(isUnderStatementTimeout(lifted)).toBe(false);
    for (const end of ['COMMIT', 'ROLLBACK', 'end', 'ABORT']) {
      expect(isUnderStatementTimeout(scopeAfter(lifted, end))).toBe(true);
    }
    // A session's own lift outlives the transaction.
    expect(isUnderStatementTimeout(after('SET statement_timeout = 0', 'SET LOCAL statement_timeout = 1000', 'COMMIT'))).toBe(false);
  });

  it('is not changed by other statements, nor by other settings', () => {
    expect(after('SELECT 1', 'SET lock_timeout = 0', "SELECT 'SET statement_timeout = 0'")).toEqual(UNDER_STATEMENT_TIMEOUT);
    expect(after('SET idle_in_transaction_session_timeout = 0')).toEqual(UNDER_STATEMENT_TIMEOUT);
  });
});
