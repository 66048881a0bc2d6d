import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseApiTokens, type ApiToken } from '../auth/api-tokens.js';
import { parseWebhooks, type WebhookEndpoint } from '../notifications/webhook-config.js';
import { webhookSigningKey } from '../notifications/webhook-signature.js';
import { parseTargetsFile, type ConfiguredTargets } from '../targets/targets-file.js';
import { basePortProblem, LAB_MAX_SHARDS, labNameProblem, labQueueUrl, labTarget, type LabSettings } from '../lab/lab-topology.js';

/** The service's settings, read once from the environment at boot. */
/** `DATABASE_STATEMENT_TIMEOUT_MS` unless set: well past any statement of an append or a read, and twice SQLite's busy timeout. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

export interface AppConfig {
  /** HTTP port (`PORT`). */
  readonly port: number;
  /** Address the API listens on (`HOST`); loopback unless set, since the API can kill containers. */
  readonly host: string;
  /** SQLite file of the audit log (`DATABASE_PATH`), used unless `databaseUrl` is set. */
  readonly databasePath: string;
  /**
   * PostgreSQL that holds the audit log instead of SQLite (`DATABASE_URL`, `postgres://user:password@host:port/db`).
   * It may carry a password: never log it or put it in an error; `withoutCredentials` shows it safely.
   */
  readonly databaseUrl: string | undefined;
  /**
   * How long one statement on the audit log's PostgreSQL may run or wait for a lock
   * (`DATABASE_STATEMENT_TIMEOUT_MS`), so that an append behind a lock held by a hung instance
   * fails, and its drill parks, instead of waiting as long as the lock is held. Migrations,
   * rebuilds and imports run without it.
   */
  readonly databaseStatementTimeoutMs: number;
  /** Redis that holds the job queue (`REDIS_URL`); defaults to the lab's queue Redis. */
  readonly redisUrl: string;
  /** Prefix of every queue key (`QUEUE_PREFIX`), so that services can share one Redis apart. */
  readonly queuePrefix: string;
  /**
   * Where the job queue, its schedulers and the target leases live (`QUEUE_BACKEND`): the Redis at
   * `redisUrl` (the default) or the PostgreSQL at `queueDatabaseUrl`.
   */
  readonly queueBackend: QueueBackendName;
  /**
   * The PostgreSQL of the queue when `queueBackend` is `postgres` (`QUEUE_DATABASE_URL`, else
   * `DATABASE_URL`); undefined on Redis. It may carry a password: never log it.
   */
  readonly queueDatabaseUrl: string | undefined;
  /** Whether this process also runs drills, not only accepts them (`WORKER_ENABLED`). */
  readonly workerEnabled: boolean;
  /** The lab (`LAB_NAME`, `LAB_BASE_PORT`, its shape `LAB_SHARDS` × `LAB_REPLICAS`); it is also the default target, named `lab`. */
  readonly lab: LabSettings;
  /** Image for lab nodes (`REDIS_IMAGE`) and how long a pull may take (`IMAGE_PULL_TIMEOUT_MS`). */
  readonly redisImage: string;
  readonly imagePullTimeoutMs: number;
  /** The Debian mirror the lab builds server images from when no registry answers (`DEBIAN_MIRROR`). */
  readonly debianMirror: string;
  /** Canary keys a drill writes before the kill and reads after (`DRILL_CANARY_KEYS`, at most one per slot). */
  readonly canaryKeys: number;
  /** The step watchdog (`STEP_TIMEOUT_MS`): a step still running after this long fails. */
  readonly stepTimeoutMs: number;
  /**
   * How soon another worker takes over the drill of a worker that died (`WORKER_LEASE_MS`): the
   * job's lock and the stalled-job check are derived from it (`takeoverTiming`), and the target's
   * lease lives this long without renewal.
   */
  readonly workerLeaseMs: number;
  /** How long a requested drill holds its target until a worker starts it (`RESERVATION_MS`). */
  readonly reservationMs: number;
  /**
   * How often a worker compares the queue with the audit log (`RECONCILE_INTERVAL_MS`): an
   * unfinished drill that lost its job (the queue's Redis lost its data) is queued again this soon.
   */
  readonly reconcileIntervalMs: number;
  /** The shortest interval a schedule may have (`SCHEDULE_MIN_INTERVAL_MS`). */
  readonly scheduleMinIntervalMs: number;
  /**
   * Who may call the API (`API_TOKENS`: comma-separated `name:role:secret`, roles viewer, operator,
   * admin). The service refuses to start without one; tools that only read the config do not need it.
   */
  readonly apiTokens: readonly ApiToken[];
  /**
   * Targets besides the lab (`TARGETS_FILE`, a JSON file; see `parseTargetsFile`), and which of
   * them drills use when a request names none (the lab unless the file says otherwise).
   */
  readonly targets: ConfiguredTargets;
  /** Where finished drills are posted (`WEBHOOKS`: comma-separated `target=url`, `*=url` for all). */
  readonly webhooks: readonly WebhookEndpoint[];
  /** The key webhook deliveries are signed with (`WEBHOOK_SECRET`, read by `webhookSigningKey`); required with `WEBHOOKS`. */
  readonly webhookSecret: string | undefined;
  /** `json` (default): one JSON object per log line, with correlation and drill ids; `text`: Nest's own format (`LOG_FORMAT`). */
  readonly logFormat: 'json' | 'text';
  /** The least severe level written (`LOG_LEVEL`, pino's names; `info` unless set). */
  readonly logLevel: LogLevel;
  /**
   * Answers of 401 one client address may get per window (`AUTH_FAILURE_LIMIT`, `0` for no limit)
   * and the window (`AUTH_FAILURE_WINDOW_MS`): past it, that address is answered 429 until the window ends.
   */
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
  /** Test-only fault injection (`DRILL_CRASH_AT`, e.g. `kill:after-signals`): the process SIGKILLs itself there. */
  readonly crashAt: string | undefined;
}

export const QUEUE_BACKENDS = ['redis', 'postgres'] as const;
export type QueueBackendName = (typeof QUEUE_BACKENDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const APP_CONFIG = Symbol('AppConfig');

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`invalid configuration: ${key} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks every setting; the first bad one stops the boot with its name in the message. */
export function loadConfig(env: Env = process.env): AppConfig {
  const shape = {
    shards: integer(env, 'LAB_SHARDS', 3, 1, LAB_MAX_SHARDS),
    replicasPerMaster: integer(env, 'LAB_REPLICAS', 1, 1, 2),
  };
  const lab: LabSettings = {
    name: checked('LAB_NAME', text(env, 'LAB_NAME', 'redis-drill'), labNameProblem),
    basePort: checked('LAB_BASE_PORT', integer(env, 'LAB_BASE_PORT', 7000, 0, 65535), (port) => basePortProblem(port, shape)),
    ...shape,
  };
  const redisUrl = valid('REDIS_URL', text(env, 'REDIS_URL', labQueueUrl(lab), { quote: false }), redisUrlProblem);
  const targets = targetsFile(env, lab);
  const databaseUrl = valid('DATABASE_URL', text(env, 'DATABASE_URL', '', { quote: false }), databaseUrlProblem) || undefined;
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: valid('HOST', text(env, 'HOST', '127.0.0.1'), hostProblem),
    databasePath: text(env, 'DATABASE_PATH', './data/drills.sqlite'),
    databaseUrl,
    databaseStatementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 100, 3_600_000),
    redisUrl,
    queuePrefix: text(env, 'QUEUE_PREFIX', 'redis-drill'),
    ...queueBackend(env, databaseUrl),
    workerEnabled: boolean(env, 'WORKER_ENABLED', true),
    lab,
    redisImage: valid('REDIS_IMAGE', text(env, 'REDIS_IMAGE', 'redis:7.0'), imageProblem),
    imagePullTimeoutMs: integer(env, 'IMAGE_PULL_TIMEOUT_MS', 20_000, 0, 600_000),
    debianMirror: valid('DEBIAN_MIRROR', text(env, 'DEBIAN_MIRROR', 'http://deb.debian.org/debian'), mirrorProblem),
    canaryKeys: integer(env, 'DRILL_CANARY_KEYS', 16_384, 1, 16_384),
    stepTimeoutMs: integer(env, 'STEP_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
    workerLeaseMs: integer(env, 'WORKER_LEASE_MS', 10_000, 1_000, 600_000),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 5_000, 100, 600_000),
    reservationMs: integer(env, 'RESERVATION_MS', 900_000, 1_000, 86_400_000),
    scheduleMinIntervalMs: integer(env, 'SCHEDULE_MIN_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    apiTokens: apiTokens(env),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'text'] as const, 'json'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    authFailureLimit: integer(env, 'AUTH_FAILURE_LIMIT', 30, 0, 1_000_000),
    authFailureWindowMs: integer(env, 'AUTH_FAILURE_WINDOW_MS', 60_000, 1_000, 86_400_000),
    targets,
    ...webhooks(env, targets),
    crashAt: env.DRILL_CRASH_AT || undefined,
  };
}

function apiTokens(env: Env): ApiToken[] {
  const value = env.API_TOKENS;
  if (value === undefined || value === '') {
    return [];
  }
  try {
    return parseApiTokens(value);
  } catch (error) {
    throw new ConfigError('API_TOKENS', `is invalid: ${(error as Error).message}`);
  }
}

function webhooks(env: Env, configured: ConfiguredTargets): { webhooks: WebhookEndpoint[]; webhookSecret: string | undefined } {
  const value = env.WEBHOOKS;
  const secret = env.WEBHOOK_SECRET || undefined;
  if (secret !== undefined && secret.trim() !== secret) {
    throw new ConfigError('WEBHOOK_SECRET', 'has leading or trailing spaces');
  }
  if (secret !== undefined) {
    try {
      webhookSigningKey(secret);
    } catch (error) {
      throw new ConfigError('WEBHOOK_SECRET', (error as Error).message);
    }
  }
  if (value === undefined || value === '') {
    return { webhooks: [], webhookSecret: secret };
  }
  let endpoints: WebhookEndpoint[];
  try {
    endpoints = parseWebhooks(value);
  } catch (error) {
    throw new ConfigError('WEBHOOKS', `is invalid: ${(error as Error).message}`);
  }
  // A misspelt target would never be posted to, and nothing would say so.
  const names = [LAB_TARGET, ...configured.targets.map((target) => target.name)];
  endpoints.forEach((endpoint, index) => {
    if (endpoint.target !== '*' && !names.includes(endpoint.target)) {
      throw new ConfigError(
        'WEBHOOKS',
        `is invalid: entry ${index + 1} names the target ${JSON.stringify(endpoint.target)}, which is not configured (${names.join(', ')})`,
      );
    }
  });
  if (secret === undefined || secret.length < 16) {
    throw new ConfigError('WEBHOOK_SECRET', 'must be set, 16 characters or more, when WEBHOOKS is: receivers check the signature with it');
  }
  return { webhooks: endpoints, webhookSecret: secret };
}

function queueBackend(env: Env, databaseUrl: string | undefined): Pick<AppConfig, 'queueBackend' | 'queueDatabaseUrl'> {
  const backend = oneOf(env, 'QUEUE_BACKEND', QUEUE_BACKENDS, 'redis');
  const ownUrl = valid('QUEUE_DATABASE_URL', text(env, 'QUEUE_DATABASE_URL', '', { quote: false }), databaseUrlProblem) || undefined;
  if (backend === 'redis') {
    return { queueBackend: backend, queueDatabaseUrl: undefined };
  }
  const url = ownUrl ?? databaseUrl;
  if (url === undefined) {
    throw new ConfigError('QUEUE_BACKEND', 'is postgres, but neither QUEUE_DATABASE_URL nor DATABASE_URL names a PostgreSQL for the queue');
  }
  return { queueBackend: backend, queueDatabaseUrl: url };
}

function targetsFile(env: Env, lab: LabSettings): ConfiguredTargets {
  const path = env.TARGETS_FILE;
  if (path === undefined || path === '') {
    return { targets: [] };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('TARGETS_FILE', `cannot be read: ${(error as Error).message}`);
  }
  try {
    const configured = parseTargetsFile(text, [labTarget(lab, LAB_TARGET)]);
    if (configured.targets.some((target) => target.name === LAB_TARGET)) {
      throw new Error(`the name ${JSON.stringify(LAB_TARGET)} is the lab's; give the target another one`);
    }
    return configured;
  } catch (error) {
    throw new ConfigError('TARGETS_FILE', `(${path}) is invalid: ${(error as Error).message}`);
  }
}

/** The target the lab is drilled as. */
export const LAB_TARGET = 'lab';

/** The check the served process adds: an API without a token would answer every caller with 401. */
export function requireApiTokens(config: AppConfig): void {
  if (config.apiTokens.length === 0) {
    throw new ConfigError(
      'API_TOKENS',
      'is required: set it to comma-separated name:role:secret entries (roles viewer, operator, admin; secrets of 16 characters or more)',
    );
  }
}

/** The value, unless `problemOf` finds one; its words follow the key in the error (`REDIS_URL must look like …`). */
function valid<T>(key: string, value: T, problemOf: (value: T) => string | undefined): T {
  const problem = problemOf(value);
  if (problem) {
    throw new ConfigError(key, problem);
  }
  return value;
}

/** Like `valid`, for problems stated as a sentence of their own (`LAB_NAME is invalid: lab name …`). */
function checked<T>(key: string, value: T, problemOf: (value: T) => string | undefined): T {
  return valid(key, value, (candidate) => {
    const problem = problemOf(candidate);
    return problem && `is invalid: ${problem}`;
  });
}

/** A URL as it may be shown: everything up to its last `@` (user and password) hidden. */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}…@`);
}

function redisUrlProblem(value: string): string | undefined {
  // The URL may carry a password: the message shows the value with its credentials hidden.
  const shown = JSON.stringify(withoutCredentials(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must look like redis://host:port, got ${shown}`;
  }
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
    ? undefined
    : `must look like redis://host:port, got ${shown}`;
}

function databaseUrlProblem(value: string): string | undefined {
  if (value === '') {
    return undefined;
  }
  const problem = `must look like postgres://user:password@host:port/database, got ${JSON.stringify(withoutCredentials(value))}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem;
  }
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' ? undefined : problem;
}

/** An IP address or a DNS name: anything else would only fail once the service tries to listen. */
function hostProblem(value: string): string | undefined {
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return isIP(value) !== 0 || (value.length <= 253 && new RegExp(`^${label}(?:\\.${label})*$`).test(value))
    ? undefined
    : `must be an IP address or a host name, got ${JSON.stringify(value)}`;
}

/**
 * A Docker image reference (`[registry[:port]/]name[:tag][@sha256:digest]`, lowercase name). A
 * malformed one is never present and never pulls, and the lab would quietly fall back to an
 * image built from this host's Redis.
 */
function mirrorProblem(value: string): string | undefined {
  return /^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)
    ? undefined
    : `must be an http(s) URL such as http://deb.debian.org/debian, got ${JSON.stringify(value)}`;
}

function imageProblem(value: string): string | undefined {
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const registry = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d{1,5})?/)?';
  const reference = new RegExp(`^${registry}${component}(?:/${component})*(?::\\w[\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);
  return value.length <= 255 && reference.test(value)
    ? undefined
    : `must be a Docker image reference such as redis:7.0, got ${JSON.stringify(value)}`;
}

/** A text setting; `quote: false` for one that may hold credentials, which an error must never repeat. */
function text(env: Env, key: string, fallback: string, { quote = true } = {}): string {
  const value = env[key];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (value.trim() !== value) {
    throw new ConfigError(key, `has leading or trailing spaces${quote ? `: ${JSON.stringify(value)}` : ''}`);
  }
  return value;
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const value = env[key];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = env[key];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function boolean(env: Env, key: string, fallback: boolean): boolean {
  const value = env[key];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (value !== 'true' && value !== 'false') {
    throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}`);
  }
  return value === 'true';
}
