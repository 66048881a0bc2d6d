import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, requireApiTokens } from './app-config.js';

describe('loadConfig', () => {
  it('has a default for every setting that works on one machine', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databasePath: './data/drills.sqlite',
      databaseStatementTimeoutMs: 10_000,
      debianMirror: 'http://deb.debian.org/debian',
      redisUrl: 'redis://127.0.0.1:7000',
      queuePrefix: 'redis-drill',
      queueBackend: 'redis',
      queueDatabaseUrl: undefined,
      workerEnabled: true,
      lab: { name: 'redis-drill', basePort: 7000, shards: 3, replicasPerMaster: 1 },
      redisImage: 'redis:7.0',
      imagePullTimeoutMs: 20_000,
      canaryKeys: 16_384,
      stepTimeoutMs: 120_000,
      workerLeaseMs: 10_000,
      reservationMs: 900_000,
      reconcileIntervalMs: 5_000,
      scheduleMinIntervalMs: 60_000,
      apiTokens: [],
      logFormat: 'json',
      logLevel: 'info',
      authFailureLimit: 30,
      authFailureWindowMs: 60_000,
      targets: { targets: [] },
      webhooks: [],
      webhookSecret: undefined,
      crashAt: undefined,
    });
  });

  it('points the queue at the lab it is given', () => {
    expect(loadConfig({ LAB_NAME: 'ci', LAB_BASE_PORT: '7300' })).toMatchObject({
      lab: { name: 'ci', basePort: 7300, shards: 3, replicasPerMaster: 1 },
      redisUrl: 'redis://127.0.0.1:7300',
    });
  });

  it("puts the queue on PostgreSQL with its own URL, or the audit log's", () => {
    const log = 'postgres://drill:s3cret@db:5432/log';
    const queue = 'postgres://drill:s3cret@db:5432/queue';
    expect(loadConfig({ QUEUE_BACKEND: 'postgres', DATABASE_URL: log })).toMatchObject({ queueBackend: 'postgres', queueDatabaseUrl: log });
    expect(loadConfig({ QUEUE_BACKEND: 'postgres', DATABASE_URL: log, QUEUE_DATABASE_URL: queue })).toMatchObject({
      queueDatabaseUrl: queue,
    });
    expect(loadConfig({ QUEUE_DATABASE_URL: queue })).toMatchObject({ queueBackend: 'redis', queueDatabaseUrl: undefined });
  });

  it('refuses a queue on PostgreSQL with no PostgreSQL named, and a backend it does not know, never showing a password', () => {
    expect(() => loadConfig({ QUEUE_BACKEND: 'postgres' })).toThrow(
      'invalid configuration: QUEUE_BACKEND is postgres, but neither QUEUE_DATABASE_URL nor DATABASE_URL names a PostgreSQL for the queue',
    );
    expect(() => loadConfig({ QUEUE_BACKEND: 'kafka' })).toThrow('QUEUE_BACKEND must be one of redis, postgres, got "kafka"');
    const refused = () => loadConfig({ QUEUE_BACKEND: 'postgres', QUEUE_DATABASE_URL: 'mysql://drill:s3cret@db/queue' });
    expect(refused).toThrow(/QUEUE_DATABASE_URL must look like postgres:/);
    expect(refused).not.toThrow(/s3cret/);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer from 0 to 65535, got "eighty"/],
    ['PORT', '70000', /PORT must be an integer/],
    ['LAB_BASE_PORT', '60000', /LAB_BASE_PORT is invalid: lab base port 60000 must be an integer from 1024 to 55519/],
    ['LAB_NAME', 'Prod Lab', /LAB_NAME is invalid: lab name "Prod Lab" must be/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must look like redis:\/\/host:port/],
    ['WORKER_ENABLED', 'yes', /WORKER_ENABLED must be true or false/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"/],
    ['AUTH_FAILURE_WINDOW_MS', '10', /AUTH_FAILURE_WINDOW_MS must be an integer from 1000 to 86400000/],
    ['DRILL_CANARY_KEYS', '0', /DRILL_CANARY_KEYS must be an integer from 1 to 16384/],
    ['DATABASE_PATH', ' ./x.sqlite', /DATABASE_PATH has leading or trailing spaces/],
    ['WEBHOOKS', 'lab=ftp://example.test/hook', /WEBHOOKS is invalid: entry 1 \(lab\) must use http or https, not ftp:/],
    ['WEBHOOKS', 'http://127.0.0.1:9/hook', /WEBHOOKS is invalid: entry 1 must look like target=url/],
    ['WEBHOOKS', 'lab=http://127.0.0.1:9/hook', /WEBHOOK_SECRET must be set, 16 characters or more, when WEBHOOKS is/],
    ['WEBHOOK_SECRET', 'whsec_not base64 at all', /WEBHOOK_SECRET starts with whsec_ but the rest is not base64/],
    ['WEBHOOK_SECRET', 'whsec_not base64 at all', /WEBHOOK_SECRET starts with whsec_ but the rest is not base64/],
    ['API_TOKENS', 'ops:superuser:0123456789abcdef', /API_TOKENS is invalid: entry 1 \(ops\) has the role "superuser"/],
  ])('names %s when it is %j', (key, value, message) => {
    expect(() => loadConfig({ [key]: value })).toThrow(message);
  });

  it('names REDIS_URL without showing a password it holds', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://:pa/ss@127.0.0.1:7000' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: 'redis://:pa/ss@127.0.0.1:7000' })).not.toThrow(/pa\/ss|pa%2Fss/);
    expect(() => loadConfig({ REDIS_URL: 'memcached://user:hunter2@127.0.0.1:7000' })).toThrow(/got "memcached:\/\/…@127.0.0.1:7000"/);
    expect(() => loadConfig({ REDIS_URL: 'memcached://user:hunter2@127.0.0.1:7000' })).not.toThrow(/hunter2/);
    // A secret mounted from a file often ends in a newline: the error names the key, not the value.
    expect(() => loadConfig({ REDIS_URL: 'redis://:hunter2@127.0.0.1:7000\n' })).toThrow(/REDIS_URL has leading or trailing spaces$/);
  });

  it('takes a PostgreSQL DATABASE_URL, and names a bad one without showing a password it holds', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://drill:hunter2@db:5432/drills' }).databaseUrl).toBe(
      'postgres://drill:hunter2@db:5432/drills',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://drill:hunter2@db/drills' })).toThrow(
      /DATABASE_URL must look like postgres:\/\/.*got "mysql:\/\/…@db\/drills"/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://drill:hunter2@db/drills' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://drill:hunter2@db/drills\n' })).toThrow(
      /DATABASE_URL has leading or trailing spaces$/,
    );
  });

  it('bounds every PostgreSQL statement at 10 s unless DATABASE_STATEMENT_TIMEOUT_MS says otherwise, and names a bad value', () => {
    expect(loadConfig({}).databaseStatementTimeoutMs).toBe(10_000);
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2500' }).databaseStatementTimeoutMs).toBe(2_500);
    for (const bad of ['0', '50', 'soon', '-1']) {
      expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: bad })).toThrow(
        /DATABASE_STATEMENT_TIMEOUT_MS must be an integer from 100 to 3600000/,
      );
    }
  });

  it('lets the served process start only with at least one API token', () => {
    expect(() => requireApiTokens(loadConfig({}))).toThrow(/invalid configuration: API_TOKENS is required/);
    expect(() => requireApiTokens(loadConfig({ API_TOKENS: 'ops:admin:0123456789abcdef' }))).not.toThrow();
  });

  it('names TARGETS_FILE and the key at fault when the targets file is unusable', () => {
    const directory = mkdtempSync(join(tmpdir(), 'redis-drill-config-'));
    try {
      const file = join(directory, 'targets.json');
      expect(() => loadConfig({ TARGETS_FILE: file })).toThrow(/^invalid configuration: TARGETS_FILE cannot be read: ENOENT/);
      writeFileSync(file, JSON.stringify({ targets: [{ name: 'lab' }] }));
      expect(() => loadConfig({ TARGETS_FILE: file })).toThrow(
        /TARGETS_FILE \(.*targets\.json\) is invalid: targets\[0\]\.containerLabel must be an object/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
