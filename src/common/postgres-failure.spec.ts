import { describe, expect, it } from 'vitest';
import { isTransientPostgresFailure } from './postgres-failure.js';

const withCode = (code: string) => Object.assign(new Error('failed'), { code });

describe('isTransientPostgresFailure', () => {
  it('given a refused, unreachable, dropped or already lost connection or a server shutting down, as thrown or as TypeORM wraps it, then says it may clear', () => {
    const wrapped = Object.assign(new Error('Connection terminated unexpectedly'), {
      driverError: new Error('Connection terminated unexpectedly'),
    });
    const wrappedCode = Object.assign(new Error('terminating connection'), { driverError: { code: '57P01' } });
    for (const error of [
      withCode('ECONNREFUSED'),
      withCode('EHOSTUNREACH'),
      withCode('08006'),
      withCode('57P01'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      wrapped,
      wrappedCode,
    ]) {
      expect(isTransientPostgresFailure(error)).toBe(true);
    }
  });

  it('given a refused statement or something not an error, then says it will not', () => {
    for (const error of [withCode('42P01'), withCode('23505'), new Error('syntax'), 'ECONNREFUSED']) {
      expect(isTransientPostgresFailure(error)).toBe(false);
    }
  });
});
