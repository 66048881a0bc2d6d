import { describe, expect, it } from 'vitest';
import { nestLogLevels } from './nest-log-levels.js';

describe('nestLogLevels', () => {
  it.each([
    ['trace', ['verbose', 'debug', 'log', 'warn', 'error', 'fatal']],
    ['info', ['log', 'warn', 'error', 'fatal']],
    ['error', ['error', 'fatal']],
    ['silent', []],
  ] as const)('lets %s through as %j', (level, expected) => {
    expect(nestLogLevels(level)).toEqual(expected);
  });
});
