import { describe, expect, it } from 'vitest';
import { isUnderAny } from './route-prefix.js';

describe('isUnderAny', () => {
  const prefixes = ['/api', '/metrics'];

  it('holds for a prefix itself and anything below it, in any case, as Express routes them', () => {
    expect(
      ['/api', '/api/', '/api/drills/1', '/Api/docs', '/metrics', '/METRICS'].filter((path) => isUnderAny(path, prefixes)),
    ).toHaveLength(6);
  });

  it('does not hold for a path that only starts with the same letters', () => {
    expect(['/', '/index.html', '/apiary.js', '/assets/api.js', '/metricsx'].filter((path) => isUnderAny(path, prefixes))).toEqual([]);
  });
});
