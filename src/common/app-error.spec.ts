import { describe, expect, it } from 'vitest';
import { AppError, errorMessage, isTransient } from './app-error.js';

class NodeGoneError extends AppError {
  readonly code = 'NODE_GONE';
  override readonly transient = true;
}

class RefusedError extends AppError {
  readonly code = 'REFUSED';
  override readonly httpStatus = 409;
}

describe('isTransient', () => {
  it('takes an error whose class says it may clear as worth another try', () => {
    expect(isTransient(new NodeGoneError('Connection is closed.'))).toBe(true);
  });

  it('fails at once on a refusal, whatever its message quotes', () => {
    expect(isTransient(new RefusedError('b4 (127.0.0.1:7264) is unreachable: Connection is closed.'))).toBe(false);
  });

  it('fails at once on an error nobody classified, even one that looks like a dropped connection', () => {
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7001'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isTransient(new Error('Connection is closed.'))).toBe(false);
    expect(isTransient('Connection is closed.')).toBe(false);
  });
});

describe('AppError', () => {
  it('is named after its class, keeps its cause and answers an API caller with its message', () => {
    const cause = new Error('read ECONNRESET');
    const error = new RefusedError('no', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'RefusedError', code: 'REFUSED', httpStatus: 409, transient: false, cause });
    expect(error.toResponse()).toEqual({ message: 'no' });
  });
});

describe('errorMessage', () => {
  it("reads an error's message, or anything else as a string", () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(42)).toBe('42');
  });
});
