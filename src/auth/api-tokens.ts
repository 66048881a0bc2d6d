import { createHash, timingSafeEqual } from 'node:crypto';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A caller the configuration knows: its name goes on record as the actor of what it does. */
export interface ApiToken {
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the secret; the secret itself is not kept. */
  readonly digest: Buffer;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DIGEST = /^sha256:([0-9a-fA-F]{64})$/;
/** Shorter secrets are refused: the API can kill containers. */
export const MIN_SECRET_LENGTH = 16;

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Parses `API_TOKENS`: comma-separated `name:role:secret` entries. The secret may be given as
 * `sha256:<64 hex digits>` instead, so that the configuration need not hold it in the clear.
 * Throws naming the first entry that is wrong, and never quotes a secret.
 */
export function parseApiTokens(value: string): ApiToken[] {
  const tokens: ApiToken[] = [];
  const entries = value.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const [name, role, ...rest] = entry.split(':');
    const secret = rest.join(':');
    if (!name || role === undefined || rest.length === 0) {
      throw new Error(`${where} must look like name:role:secret`);
    }
    if (!NAME.test(name)) {
      throw new Error(`${where} has the name ${JSON.stringify(name)}; names are 1–64 letters, digits, '_', '.' or '-'`);
    }
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`${where} (${name}) has the role ${JSON.stringify(role)}; roles are ${ROLES.join(', ')}`);
    }
    const hashed = DIGEST.exec(secret);
    // A digest typed wrong must not become a plaintext secret that anyone reading the config could use.
    if (!hashed && secret.startsWith('sha256:')) {
      throw new Error(`${where} (${name}) gives a sha256: secret that is not 64 hexadecimal digits`);
    }
    if (!hashed && secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`${where} (${name}) has a secret shorter than ${MIN_SECRET_LENGTH} characters`);
    }
    const digest = hashed ? Buffer.from(hashed[1]!.toLowerCase(), 'hex') : digestOf(secret);
    if (tokens.some((token) => token.name === name)) {
      throw new Error(`${where} repeats the name ${JSON.stringify(name)}`);
    }
    if (tokens.some((token) => token.digest.equals(digest))) {
      throw new Error(`${where} (${name}) repeats the secret of another token`);
    }
    tokens.push({ name, role: role as Role, digest });
  });
  return tokens;
}

/** Finds the token a presented secret belongs to, comparing digests in constant time and against every token. */
export function authenticate(tokens: readonly ApiToken[], secret: string): ApiToken | undefined {
  const presented = digestOf(secret);
  let found: ApiToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.digest, presented) && !found) {
      found = token;
    }
  }
  return found;
}
