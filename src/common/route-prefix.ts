/**
 * Whether Express would route `path` under one of `prefixes` (each a path such as `/api`): the
 * prefix itself or anything below it. Express matches routes case-insensitively, so `/API/docs`
 * is under `/api/docs` too.
 */
export function isUnderAny(path: string, prefixes: readonly string[]): boolean {
  const lower = path.toLowerCase();
  return prefixes.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}
