import { describe, expect, it } from 'vitest';
import { authenticate, digestOf, parseApiTokens, roleAllows } from './api-tokens.js';

describe('API tokens', () => {
  const tokens = parseApiTokens(
    `alice:admin:alice-secret-0123456789, ci:operator:sha256:${digestOf('ci-secret-0123456789').toString('hex')},grafana:viewer:a:b:c:0123456789abcdef`,
  );

  it('parses name:role:secret entries, a secret given as its SHA-256, and secrets that hold colons', () => {
    expect(tokens.map((token) => [token.name, token.role])).toEqual([
      ['alice', 'admin'],
      ['ci', 'operator'],
      ['grafana', 'viewer'],
    ]);
    expect(authenticate(tokens, 'ci-secret-0123456789')?.name).toBe('ci');
    expect(authenticate(tokens, 'a:b:c:0123456789abcdef')?.name).toBe('grafana');
  });

  it('takes a digest in capitals as the same digest', () => {
    const upper = parseApiTokens(`ops:viewer:sha256:${digestOf('ops-secret-0123456789').toString('hex').toUpperCase()}`);
    expect(authenticate(upper, 'ops-secret-0123456789')?.name).toBe('ops');
  });

  it('knows no secret it was not given, nor a digest presented as the secret', () => {
    expect(authenticate(tokens, 'alice-secret-012345678')).toBeUndefined();
    expect(authenticate(tokens, '')).toBeUndefined();
    expect(authenticate(tokens, `sha256:${digestOf('ci-secret-0123456789').toString('hex')}`)).toBeUndefined();
  });

  it('keeps only digests, never the secret', () => {
    expect(JSON.stringify(tokens)).not.toContain('alice-secret');
  });

  it('orders roles viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });

  it.each([
    ['alice', 'entry 1 must look like name:role:secret'],
    ['alice:admin', 'entry 1 must look like name:role:secret'],
    [':admin:0123456789abcdef', 'entry 1 must look like name:role:secret'],
    ['al ice:admin:0123456789abcdef', 'entry 1 has the name "al ice"'],
    ['alice:root:0123456789abcdef', 'entry 1 (alice) has the role "root"; roles are viewer, operator, admin'],
    ['alice:admin:short', 'entry 1 (alice) has a secret shorter than 16 characters'],
    ['a:admin:0123456789abcdef,a:viewer:fedcba9876543210', 'entry 2 repeats the name "a"'],
    ['a:admin:0123456789abcdef,b:viewer:0123456789abcdef', 'entry 2 (b) repeats the secret of another token'],
    ['a:admin:0123456789abcdef,', 'entry 2 must look like name:role:secret'],
    [`a:admin:sha256:${'ab'.repeat(31)}`, 'entry 1 (a) gives a sha256: secret that is not 64 hexadecimal digits'],
  ])('refuses %j naming what is wrong', (value, message) => {
    expect(() => parseApiTokens(value)).toThrow(message);
  });

  it('never quotes a secret in its errors', () => {
    expect(() => parseApiTokens('alice:root:my-very-secret-value')).toThrow(/^(?!.*my-very-secret-value)/);
  });
});
