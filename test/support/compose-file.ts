import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What the tests start of a Compose service. */
export interface ComposeService {
  readonly image: string;
  readonly network_mode?: string;
  readonly command?: readonly string[];
  readonly working_dir?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly depends_on?: readonly string[];
  readonly profiles?: readonly string[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/**
 * A Compose file with its variables substituted from `variables` alone, as `docker compose` does
 * from the environment: the caller's shell (a POSTGRES_PASSWORD exported there) does not reach it.
 */
export function readComposeFile(url: URL, variables: Readonly<Record<string, string>>): ComposeFile {
  return substitute(parse(readFileSync(url, 'utf8'), { merge: true }), variables) as ComposeFile;
}

function substitute(value: unknown, variables: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return interpolate(value, variables);
  }
  if (Array.isArray(value)) {
    return value.map((each) => substitute(each, variables));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, substitute(each, variables)]));
  }
  return value;
}

/**
 * The substitutions the project's Compose files use: `${NAME}`, `${NAME:-default}` (the default when
 * NAME is unset or empty), `${NAME-default}` (when unset) and `$$` for a dollar sign. Any other
 * form is refused rather than left in place.
 */
export function interpolate(text: string, variables: Readonly<Record<string, string>>): string {
  const substitution = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;
  if (text.replace(substitution, '').includes('$')) {
    throw new Error(`unsupported substitution in ${JSON.stringify(text)}`);
  }
  return text.replace(substitution, (_match, name: string | undefined, operator: string | undefined, fallback: string | undefined) => {
    if (name === undefined) {
      return '$';
    }
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (operator === ':-') {
      return value ? value : (fallback ?? '');
    }
    if (operator === '-') {
      return value ?? fallback ?? '';
    }
    return value ?? '';
  });
}
