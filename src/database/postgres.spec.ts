import { describe, expect, it } from 'vitest';
import { EventStoreFullError, EventStoreUnavailableError } from '../events/event-store.js';
import { classifiedFailure, rows } from './postgres.js';

describe('classifiedFailure', () => {
  it.each([
    ['a full disk (53100)', { code: '53100', message: 'could not extend file' }, EventStoreFullError],
    ['a connection refused', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, EventStoreUnavailableError],
    [
      'a server shutting down (57P01), as TypeORM wraps it',
      { driverError: { code: '57P01' }, message: 'terminating connection' },
      EventStoreUnavailableError,
    ],
    ['a connection lost (08006)', { code: '08006', message: 'connection failure' }, EventStoreUnavailableError],
    ['a host unreachable', { code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH 10.0.0.9:5432' }, EventStoreUnavailableError],
    [
      'a connection the server closed, which node-postgres gives no code',
      { message: 'Connection terminated unexpectedly' },
      EventStoreUnavailableError,
    ],
    [
      'the same, as TypeORM wraps it',
      { message: 'Connection terminated unexpectedly', driverError: new Error('Connection terminated unexpectedly') },
      EventStoreUnavailableError,
    ],
    ['a statement timeout (57014)', { code: '57014', message: 'canceling statement due to statement timeout' }, EventStoreUnavailableError],
  ])('answers %s with the store error that says so', (_, error, expected) => {
    expect(classifiedFailure(Object.assign(new Error(error.message), error))).toBeInstanceOf(expected);
  });

  it('leaves any other error as it was: a unique violation is no outage', () => {
    const violation = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(classifiedFailure(violation)).toBe(violation);
  });
});

describe('rows', () => {
  it('refuses a data source that never connected as unavailable, without asking it', async () => {
    const asked: string[] = [];
    const neverOpened = { isInitialized: false, query: async (statement: string) => void asked.push(statement) };
    await expect(rows(neverOpened, 'SELECT 1')).rejects.toThrow(EventStoreUnavailableError);
    expect(asked).toEqual([]);
  });
});
