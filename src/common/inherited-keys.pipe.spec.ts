import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { InheritedKeysPipe } from './inherited-keys.pipe.js';

describe('InheritedKeysPipe', () => {
  const pipe = new InheritedKeysPipe();
  const body = { type: 'body' as const };

  it.each([
    [{ scenario: 'x', toString: [true] }, 'property toString should not exist'],
    [JSON.parse('{"__proto__": {"polluted": 1}}'), 'property __proto__ should not exist'],
    [{ options: { constructor: 1 } }, 'property options.constructor should not exist'],
    [{ name: 'n', prototype: [] }, 'property prototype should not exist'],
    [[{ ok: 1 }, { hasOwnProperty: 2 }], 'property 1.hasOwnProperty should not exist'],
  ])('refuses %j naming the key', (value, message) => {
    expect(() => pipe.transform(value, body)).toThrow(new BadRequestException(message));
  });

  it('passes ordinary bodies and leaves route parameters alone', () => {
    const ordinary = { scenario: 'group-failover', options: { planned: true }, list: [1, { a: null }] };
    expect(pipe.transform(ordinary, body)).toBe(ordinary);
    expect(pipe.transform('toString', { type: 'param' })).toBe('toString');
  });
});
