/** The service's API with the token the user gave, kept for this browser tab only. */
const TOKEN_KEY = 'redis-drill-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token.get() ?? ''}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    throw new ApiError(response.status, (parsed as { message?: string } | undefined)?.message ?? response.statusText);
  }
  return parsed as T;
}

export interface DrillRow {
  id: string;
  scenario: string;
  target: string;
  trigger: string;
  status: string;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  totalMs?: number;
  killToServingMs?: number;
  killToRedundantMs?: number;
  failbackMs?: number;
  clientRtoMs?: number;
  lostAckedWrites?: number;
  error?: string;
}

/** One page of `GET /api/drills`, newest first. */
export interface DrillList {
  items: DrillRow[];
  /** Absent on the last page. */
  nextCursor?: string;
}

export interface DrillStep {
  name: string;
  status: string;
  durationMs?: number;
  error?: string;
}

export const ERROR_KINDS = ['clusterDown', 'redirects', 'connection', 'readonly', 'timeout', 'other'] as const;

export interface ProbeFigures {
  writes: number;
  acked: number;
  failed: number;
  unknown: number;
  lostAckedWrites: number;
  failedButPresent: number;
  clientRtoMs: number;
  errors: Record<(typeof ERROR_KINDS)[number], number>;
}

export interface ProbeReport extends ProbeFigures {
  writesPerSecond: number;
  durationMs: number;
  /** One per shard, named by the slot its probe keys hash to. */
  shards: (ProbeFigures & { slot: number })[];
}

export interface Drill extends DrillRow {
  steps: DrillStep[];
  timings: { killToServingMs?: number; killToRedundantMs?: number; failbackMs?: number; totalMs?: number };
  probe?: ProbeReport;
  /** Why there is no probe report although a probe ran. */
  probeLost?: string;
  /** The servers and versions found on the target's nodes; absent until the drill's prepare step read them. */
  servers?: { server: string; version: string; nodes: string[] }[];
}

export interface Timeline {
  steps: { name: string; status: string; startOffsetMs?: number; endOffsetMs?: number; durationMs?: number }[];
  events: { sequence: number; type: string; offsetMs: number; step?: string; data: unknown }[];
}

export const FINISHED = ['succeeded', 'failed', 'aborted'];
export const SCENARIOS = ['group-failover', 'failover-and-failback', 'prewired-standby', 'backup-restore'];
