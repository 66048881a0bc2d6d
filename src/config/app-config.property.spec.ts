import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../auth/api-tokens.js';
import { ConfigError, loadConfig } from './app-config.js';

type Env = Record<string, string>;
const RUNS = 200;

/** Runs `loadConfig` and returns the error it must throw: a `ConfigError` for `key`, never anything else. */
function refusal(env: Env, key: string): ConfigError {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `loadConfig accepted ${JSON.stringify(env)}`).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.key, error.message).toBe(key);
  expect(error.message.startsWith(`invalid configuration: ${key} `), error.message).toBe(true);
  return error;
}

/** Every integer setting and the range `loadConfig` allows for it (the lab's base port narrows its own further). */
const INTEGERS: Record<string, readonly [number, number]> = {
  PORT: [0, 65535],
  LAB_BASE_PORT: [1024, 55519],
  LAB_SHARDS: [1, 16],
  LAB_REPLICAS: [1, 2],
  IMAGE_PULL_TIMEOUT_MS: [0, 600_000],
  DRILL_CANARY_KEYS: [1, 16_384],
  STEP_TIMEOUT_MS: [1_000, 3_600_000],
  WORKER_LEASE_MS: [1_000, 600_000],
  RECONCILE_INTERVAL_MS: [100, 600_000],
  RESERVATION_MS: [1_000, 86_400_000],
  SCHEDULE_MIN_INTERVAL_MS: [1_000, 86_400_000],
  AUTH_FAILURE_LIMIT: [0, 1_000_000],
  AUTH_FAILURE_WINDOW_MS: [1_000, 86_400_000],
};

/** A string that is no integer in [min, max]: not only digits, or digits out of range. */
const badInteger = (min: number, max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 12 }).filter((value) => !/^\d+$/.test(value)),
    fc.constantFrom('-1', '1.5', '1e3', '0x10', '+80', ' 80', '80 ', '8 0', '٣٠٠٠', '3_000', 'Infinity', 'NaN', '1,000', '0b1'),
    fc.bigInt({ min: BigInt(max) + 1n, max: 10n ** 30n }).map(String),
    ...(min > 0 ? [fc.integer({ min: 0, max: min - 1 }).map(String)] : []),
  );

/** Settings that are right, to show that one bad value is found whatever else is set. */
const goodEnv: fc.Arbitrary<Env> = fc.record(
  {
    PORT: fc.integer({ min: 0, max: 65535 }).map(String),
    LAB_NAME: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,40}$/),
    LAB_BASE_PORT: fc.integer({ min: 1024, max: 55519 }).map(String),
    WORKER_ENABLED: fc.constantFrom('true', 'false'),
    LOG_FORMAT: fc.constantFrom('json', 'text'),
    LOG_LEVEL: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    STEP_TIMEOUT_MS: fc.integer({ min: 1_000, max: 3_600_000 }).map(String),
    HOST: fc.constantFrom('127.0.0.1', '::1', 'localhost', '0.0.0.0', 'drill.example.test'),
    REDIS_IMAGE: fc.constantFrom('redis:7.0', 'redis', 'registry.example.test:5000/ops/redis:7.2-alpine', 'valkey/valkey:8'),
  },
  { requiredKeys: [] },
);

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
/** Built once: a pattern arbitrary this long is slow to build on every run. */
const badDigest = fc.oneof(
  hex(63),
  hex(65),
  hex(64).map((digest) => `${digest.slice(1)}g`),
);
/** Secrets long enough, each distinct, with nothing a name or a role could contain by chance. */
const secrets = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{16,32}$/), { minLength: 1, maxLength: 4 });
const tokenName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);
/** Valid `API_TOKENS` entries: distinct names and distinct secrets. */
const goodTokens = secrets.chain((values) =>
  fc.uniqueArray(tokenName, { minLength: values.length, maxLength: values.length }).chain((names) =>
    fc.tuple(...values.map(() => fc.constantFrom(...ROLES))).map((roles) => ({
      secrets: values,
      entries: values.map((secret, index) => `${names[index]}:${roles[index]}:${secret}`),
      names,
    })),
  ),
);
const noSeparators = (value: string) => !value.includes(',') && !value.includes(':');
/** One `API_TOKENS` entry that cannot be used, given the good entries before it. */
const badToken = (before: { secrets: string[]; names: string[] }): fc.Arbitrary<string> => {
  const someSecret = fc.constantFrom(...before.secrets);
  return fc.oneof(
    // Not three parts.
    fc.constantFrom('', 'ops', 'ops:admin', ':admin:0123456789abcdef', 'ops::'),
    fc.string({ maxLength: 30 }).filter((value) => noSeparators(value)),
    // A name that is no name.
    fc
      .string({ minLength: 1, maxLength: 70 })
      .filter((name) => noSeparators(name) && name.trimStart() !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name.trimStart()))
      .map((name) => `${name}:admin:0123456789abcdef-new`),
    // A role that is none.
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((role) => noSeparators(role) && !(ROLES as readonly string[]).includes(role))
      .map((role) => `fresh:${role}:0123456789abcdef-new`),
    fc.constantFrom('Admin', 'ADMIN', 'root', 'admin ', ' viewer').map((role) => `fresh:${role}:0123456789abcdef-new`),
    // A secret too short, or a digest typed wrong.
    fc.string({ minLength: 1, maxLength: 15 }).map((secret) => `fresh:viewer:${secret.replaceAll(',', '')}`),
    badDigest.map((digest) => `fresh:viewer:sha256:${digest}`),
    // A name or a secret another entry has, in the clear or as its digest.
    fc.constantFrom(...before.names).map((name) => `${name}:viewer:another-secret-0123456789`),
    someSecret.map((secret) => `fresh:viewer:${secret}`),
    someSecret.map((secret) => `fresh:viewer:sha256:${createHash('sha256').update(secret).digest('hex').toUpperCase()}`),
  );
};

/** One `WEBHOOKS` entry that cannot be used, given that only the lab is a target. */
const badWebhook: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }).filter((entry) => !entry.includes('=') && !entry.includes(',')),
  fc.string({ maxLength: 20 }).map((url) => `=${url.replaceAll(',', '')}`),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((target) => !/[=,]/.test(target) && target.trim() !== '*' && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(target.trim()))
    .map((target) => `${target}=http://127.0.0.1:9/hook`),
  fc
    .stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/)
    .filter((target) => target !== 'lab')
    .map((target) => `${target}=http://127.0.0.1:9/hook`),
  fc.constantFrom('not a url', 'http://', '://x', 'http://a b/', 'http://[::1/', '127.0.0.1:9/hook', '').map((url) => `lab=${url}`),
  fc
    .constantFrom('ftp://example.test/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'mailto:ops@example.test', 'ws://127.0.0.1:9/')
    .map((url) => `lab=${url}`),
);
const goodWebhook = fc.constantFrom(
  'lab=http://127.0.0.1:9/hook',
  '*=https://hooks.example.test/drills',
  'lab=https://a.example.test:8443/x?y=1',
);
const secret16 = 'webhook-secret-0123456789';

describe('loadConfig, given generated bad values', () => {
  it.each(Object.entries(INTEGERS))('names %s when it is no integer in its range', (key, [min, max]) => {
    fc.assert(
      fc.property(goodEnv, badInteger(min, max), (env, value) => {
        refusal({ ...env, [key]: value }, key);
      }),
      { numRuns: RUNS },
    );
  });

  it('names LAB_NAME, HOST, REDIS_URL and REDIS_IMAGE when they are malformed, and any text setting with spaces around it', () => {
    const spaced = fc.tuple(fc.constantFrom(' ', '\t', '\n'), fc.boolean()).map(
      ([space, before]) =>
        (value: string) =>
          before ? `${space}${value}` : `${value}${space}`,
    );
    fc.assert(
      fc.property(
        goodEnv,
        fc.oneof(
          fc.tuple(
            fc.constant('LAB_NAME'),
            fc.oneof(
              fc.constantFrom('Prod', '-lab', '.lab', 'lab lab', 'lab/x', 'x'.repeat(42)),
              fc.string({ minLength: 1 }).filter((value) => value.trim() === value && !/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(value)),
            ),
          ),
          fc.tuple(
            fc.constant('HOST'),
            fc.constantFrom(
              'not a host',
              'http://127.0.0.1',
              '127.0.0.1:3000',
              'host_name',
              '-lead.example',
              'a..b',
              '[::1]',
              '*',
              'x'.repeat(64),
            ),
          ),
          fc.tuple(
            fc.constant('REDIS_URL'),
            fc.constantFrom(
              'localhost:6379',
              'http://127.0.0.1:6379',
              'redis://',
              'redis://:6379',
              'redis://h:99999',
              'redis://h:port',
              'redis://a b',
              'redis:/h',
            ),
          ),
          fc.tuple(
            fc.constant('REDIS_IMAGE'),
            fc.constantFrom(
              'Redis:7',
              'redis 7',
              'redis:',
              ':7',
              'redis:-7',
              'redis@sha256:abc',
              '/redis',
              'redis/',
              'redis::7',
              'x'.repeat(256),
            ),
          ),
          fc.tuple(
            fc.constantFrom('LAB_NAME', 'HOST', 'DATABASE_PATH', 'REDIS_URL', 'QUEUE_PREFIX', 'REDIS_IMAGE'),
            spaced.map((space) => space('value')),
          ),
          fc.tuple(fc.constant('WORKER_ENABLED'), fc.constantFrom('yes', 'no', '1', '0', 'TRUE', 'False', 'on', ' true')),
          fc.tuple(
            fc.constant('LOG_FORMAT'),
            fc.string({ minLength: 1 }).filter((value) => value !== 'json' && value !== 'text'),
          ),
          fc.tuple(
            fc.constant('LOG_LEVEL'),
            fc.string({ minLength: 1 }).filter((value) => !['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(value)),
          ),
        ),
        (env, [key, value]) => {
          refusal({ ...env, [key]: value }, key);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('names API_TOKENS and the entry at fault, and never quotes a secret', () => {
    fc.assert(
      fc.property(
        goodTokens.chain((good) =>
          // The bad entry comes after `position` good ones, and repeats a name or a secret of those only.
          fc
            .integer({ min: 1, max: good.entries.length })
            .chain((position) =>
              fc.tuple(
                fc.constant(good),
                badToken({ secrets: good.secrets.slice(0, position), names: good.names.slice(0, position) }),
                fc.constant(position),
              ),
            ),
        ),
        ([good, bad, position]) => {
          const entries = [...good.entries.slice(0, position), bad, ...good.entries.slice(position)];
          const error = refusal({ API_TOKENS: entries.join(',') }, 'API_TOKENS');
          expect(error.message).toMatch(new RegExp(`^invalid configuration: API_TOKENS is invalid: entry ${position + 1}\\b`));
          for (const secret of good.secrets) {
            expect(error.message).not.toContain(secret);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('names WEBHOOKS and the entry at fault, or WEBHOOK_SECRET when it is missing, short or padded', () => {
    fc.assert(
      fc.property(fc.array(goodWebhook, { maxLength: 3 }), badWebhook, fc.array(goodWebhook, { maxLength: 2 }), (before, bad, after) => {
        const hooks = [...before, bad, ...after].join(',');
        // An empty WEBHOOKS is no webhook at all.
        fc.pre(hooks !== '');
        const error = refusal({ WEBHOOKS: hooks, WEBHOOK_SECRET: secret16 }, 'WEBHOOKS');
        expect(error.message).toMatch(new RegExp(`^invalid configuration: WEBHOOKS is invalid: entry ${before.length + 1}\\b`));
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.array(goodWebhook, { minLength: 1, maxLength: 3 }),
        fc.option(
          fc.oneof(
            fc.string({ minLength: 1, maxLength: 15 }).filter((value) => value.trim() === value),
            fc.constantFrom(` ${secret16}`, `${secret16}\n`, ' '.repeat(16)),
          ),
          { nil: undefined },
        ),
        (hooks, secret) => {
          refusal({ WEBHOOKS: hooks.join(','), ...(secret === undefined ? {} : { WEBHOOK_SECRET: secret }) }, 'WEBHOOK_SECRET');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('throws nothing but a ConfigError naming a setting it was given, whatever the values', () => {
    const keys = [
      ...Object.keys(INTEGERS),
      'LAB_NAME',
      'HOST',
      'REDIS_URL',
      'REDIS_IMAGE',
      'QUEUE_PREFIX',
      'WORKER_ENABLED',
      'LOG_FORMAT',
      'LOG_LEVEL',
    ];
    const anyValue = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.integer().map(String));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys, 'API_TOKENS', 'WEBHOOKS', 'WEBHOOK_SECRET'), anyValue, { maxKeys: 6 }), (env) => {
        try {
          loadConfig(env);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const named = (error as ConfigError).key;
          expect(named in env || (named === 'WEBHOOK_SECRET' && 'WEBHOOKS' in env), (error as Error).message).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // Four hundred generated configurations take seconds of CPU on a busy machine.
  }, 60_000);
});
