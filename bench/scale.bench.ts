/**
 * How a drill's cost grows with the cluster and its data. In one run, on labs of their own:
 * - one `failover-and-failback` cycle (the median of `--runs`) for each shard count of `--shards`
 *   (one replica per master);
 * - one cycle on three shards for each size of `--sizes`, in MB per shard, filled with values of
 *   4 KB by pipelined SETs, and beside it the floor: the spares' full sync driven by bare
 *   `redis-cli` (MEET, REPLICATE, then `INFO replication` until the link is up), on the same lab;
 * and prints, for each: kill → cluster_state:ok, kill → fully redundant, failback, client RTO,
 * and the peak memory of this process (the drill runs in it) over its size before the drill;
 * then a least-squares growth per added shard and per added 100 MB.
 * With `--server` (several allowed: `redis-7.0`, `redis-8.0`, `valkey-8.1`, or `default` for the
 * lab's default image), the same cycle on three shards of each server, side by side in one table;
 * the shard and size rows then run only when asked for.
 *
 *   npm run bench:scale -- [--shards 3,6,9,12] [--sizes 0,100,500] [--runs 3] [--server redis-8.0 --server valkey-8.1]
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs, promisify } from 'node:util';
import { selfEntry } from '../src/cluster/node-snapshot.js';
import { hashTagsBySlot } from '../src/cluster/slot-keys.js';
import { systemClock } from '../src/common/clock.js';
import { isLabServer, LAB_SERVERS, type LabServer } from '../src/docker/lab-servers.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { describeServers } from '../src/drills/server-support.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { failoverLayout, pairedByShard, type TargetNode } from '../src/targets/drill-target.js';
import { drillRunnerFor } from '../test/support/drill-runner.js';
import { freeLab } from '../test/support/free-ports.js';
import { startTestLab, type TestLab } from '../test/support/test-lab.js';
import { formatMs, median } from './stats.js';

const exec = promisify(execFile);
/** `--server default`: the lab's default image (`REDIS_IMAGE`, else the host's Redis). */
const DEFAULT_SERVER = 'default';
const { values } = parseArgs({
  options: {
    shards: { type: 'string' },
    sizes: { type: 'string' },
    runs: { type: 'string', default: '3' },
    server: { type: 'string', multiple: true, default: [] },
  },
});
const servers = values.server;
const unknownServer = servers.find((server) => server !== DEFAULT_SERVER && !isLabServer(server));
if (unknownServer !== undefined) {
  throw new Error(`--server ${unknownServer} is not one of ${[DEFAULT_SERVER, ...LAB_SERVERS].join(', ')}`);
}
const list = (text: string) => (text === '' ? [] : text.split(',').map(Number));
const shardCounts = list(values.shards ?? (servers.length > 0 ? '' : '3,6,9,12'));
const sizesMb = list(values.sizes ?? (servers.length > 0 ? '' : '0,100,500'));
const runs = Number(values.runs);
if (![...shardCounts, ...sizesMb, runs].every((value) => Number.isInteger(value) && value >= 0) || runs < 1) {
  throw new Error('--shards and --sizes take comma-separated whole numbers, --runs a positive one');
}

const VALUE_BYTES = 4096;
const FILL_BATCH = 500;
/** Big datasets need more than the service's defaults for a sync, and for a step. */
const ADMIN = { syncTimeoutMs: 900_000, healthTimeoutMs: 900_000, joinTimeoutMs: 60_000, servingTimeoutMs: 60_000 };
const DRILL = { stepTimeoutMs: 1_800_000, readinessTimeoutMs: 60_000 };
const LAB_NAME = process.env.BENCH_LAB_NAME ?? 'shapes-scale';

interface Row {
  /** The servers and versions the drill found, as `redis 8.0.2`. */
  readonly server: string;
  readonly shards: number;
  readonly mbPerShard: number;
  readonly killToOk: number;
  readonly killToRedundant: number;
  readonly failback: number;
  readonly clientRto: number;
  readonly lostAcked: number;
  readonly peakRssMb: number;
  readonly fillMs?: number;
  readonly floorSyncMs?: number;
}

const ms = formatMs;
const serverRows: Row[] = [];
for (const server of servers) {
  serverRows.push(await measure(3, 0, runs, false, server === DEFAULT_SERVER ? undefined : (server as LabServer)));
}
const rows: Row[] = [];
for (const shards of shardCounts) {
  rows.push(await measure(shards, 0, runs, false));
}
for (const mb of sizesMb) {
  rows.push(await measure(3, mb, 1, mb > 0));
}

if (serverRows.length > 0) {
  console.log(`\n| server (3 shards × 1 replica, median of ${runs}) | kill → ok | kill → redundant | failback | client RTO | lost acked |`);
  console.log('|---|---|---|---|---|---|');
  for (const row of serverRows) {
    console.log(
      `| ${row.server} | ${ms(row.killToOk)} | ${ms(row.killToRedundant)} | ${ms(row.failback)} | ${ms(row.clientRto)} | ${row.lostAcked} |`,
    );
  }
}
if (rows.length === 0) {
  process.exit(0);
}

console.log(
  '\n| shards × MB per shard | kill → ok | kill → redundant | failback | client RTO | lost acked | peak RSS − start | fill | bare full sync (floor) | redundant / floor |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(
    `| ${row.shards} × ${row.mbPerShard} | ${ms(row.killToOk)} | ${ms(row.killToRedundant)} | ${ms(row.failback)} | ${ms(row.clientRto)} | ${row.lostAcked} | ` +
      `${row.peakRssMb.toFixed(0)} MB | ${row.fillMs === undefined ? '-' : ms(row.fillMs)} | ${row.floorSyncMs === undefined ? '-' : ms(row.floorSyncMs)} | ` +
      `${row.floorSyncMs === undefined ? '-' : (row.killToRedundant / row.floorSyncMs).toFixed(2)} |`,
  );
}
const byShards = rows.slice(0, shardCounts.length);
const bySize = rows.slice(shardCounts.length);
const growth = (sample: readonly Row[], x: (row: Row) => number, unit: number, label: string) => {
  if (new Set(sample.map(x)).size < 2) {
    return;
  }
  const slope = (pick: (row: Row) => number) => fit(sample.map(x), sample.map(pick)) * unit;
  console.log(
    `growth per ${label}: kill → ok ${slope((row) => row.killToOk).toFixed(1)} ms, kill → redundant ${slope((row) => row.killToRedundant).toFixed(1)} ms, ` +
      `failback ${slope((row) => row.failback).toFixed(1)} ms, client RTO ${slope((row) => row.clientRto).toFixed(1)} ms, peak RSS ${slope((row) => row.peakRssMb).toFixed(1)} MB`,
  );
};
console.log('');
growth(byShards, (row) => row.shards, 1, 'added shard');
growth(bySize, (row) => row.mbPerShard, 100, 'added 100 MB per shard');

/** A lab of this shape, filled, `cycles` failover-and-failback cycles, the floor, and the lab removed; the median cycle's figures. */
async function measure(shards: number, mbPerShard: number, cycles: number, withFloor: boolean, server?: LabServer): Promise<Row> {
  const lab = await startTestLab(
    await freeLab(`${LAB_NAME}-${server ?? DEFAULT_SERVER}-${shards}x${mbPerShard}`, { shards, replicasPerMaster: 1 }),
    { form: true, admin: ADMIN, ...(server ? { server } : {}) },
  );
  const drills = await drillRunnerFor(lab, { settings: DRILL });
  try {
    const fillMs = mbPerShard > 0 ? await fill(lab, mbPerShard) : undefined;
    const cycleRows: Row[] = [];
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const memory = sampleMemory();
      const state = await runCycle(drills);
      const peakRssMb = memory.stop();
      const probe = state.probe?.state === 'reported' ? state.probe.report : undefined;
      const row: Row = {
        server: describeServers(state.servers ?? []),
        shards,
        mbPerShard,
        killToOk: state.timings.killToServingMs!,
        killToRedundant: state.timings.killToRedundantMs!,
        failback: state.timings.failbackMs!,
        clientRto: probe?.clientRtoMs ?? Number.NaN,
        lostAcked: probe?.lostAckedWrites ?? Number.NaN,
        peakRssMb,
      };
      cycleRows.push(row);
      console.log(
        `${row.server}, ${shards} shards × ${mbPerShard} MB, cycle ${cycle}: kill→ok ${ms(row.killToOk)}, kill→redundant ${ms(row.killToRedundant)}, ` +
          `failback ${ms(row.failback)}, client RTO ${ms(row.clientRto)}, lost acked ${row.lostAcked}, peak RSS +${peakRssMb.toFixed(0)} MB`,
      );
    }
    const floorSyncMs = withFloor ? await bareFullSync(lab) : undefined;
    if (floorSyncMs !== undefined) {
      console.log(`${shards} shards × ${mbPerShard} MB: bare redis-cli full sync of every spare at once ${ms(floorSyncMs)}`);
    }
    const pick = (field: (row: Row) => number) => median(cycleRows.map(field))!;
    return {
      server: cycleRows[0]!.server,
      shards,
      mbPerShard,
      killToOk: pick((row) => row.killToOk),
      killToRedundant: pick((row) => row.killToRedundant),
      failback: pick((row) => row.failback),
      clientRto: pick((row) => row.clientRto),
      lostAcked: Math.max(...cycleRows.map((row) => row.lostAcked)),
      peakRssMb: Math.max(...cycleRows.map((row) => row.peakRssMb)),
      ...(fillMs === undefined ? {} : { fillMs }),
      ...(floorSyncMs === undefined ? {} : { floorSyncMs }),
    };
  } finally {
    await drills.close();
    await lab.close();
  }
}

async function runCycle(drills: Awaited<ReturnType<typeof drillRunnerFor>>): Promise<DrillState> {
  const id = randomUUID();
  await DrillStream.create(drills.store, systemClock, id, 'bench', {
    type: 'DrillRequested',
    data: { scenario: 'failover-and-failback', target: 'lab', trigger: 'manual' },
  });
  const { state } = await drills.runner.run(id);
  if (state.status !== 'succeeded') {
    throw new Error(`drill ${state.id} ${state.status}: ${state.error}`);
  }
  return state;
}

/**
 * `mbPerShard` of 4 KB values on every master, each key tagged into a slot the master serves,
 * in pipelined batches; then waits until every replica and standby has caught up.
 */
async function fill(lab: TestLab, mbPerShard: number): Promise<number> {
  const started = performance.now();
  const layout = failoverLayout(lab.target, 'A');
  const value = randomBytes(VALUE_BYTES);
  const keysPerShard = Math.ceil((mbPerShard * 1024 * 1024) / VALUE_BYTES);
  const tags = hashTagsBySlot();
  await Promise.all(
    layout.servingMasters.map(async (master) => {
      const slots = selfEntry(await lab.admin.snapshot(master).then(reachable)).slots.flatMap((range) =>
        Array.from({ length: range.end - range.start + 1 }, (_, index) => range.start + index),
      );
      const client = await lab.connections.client(master);
      for (let first = 0; first < keysPerShard; first += FILL_BATCH) {
        const pipeline = client.pipeline();
        for (let index = first; index < Math.min(first + FILL_BATCH, keysPerShard); index++) {
          pipeline.set(`bench:{${tags[slots[index % slots.length]!]}}:${index}`, value);
        }
        const replies = await pipeline.exec();
        const failed = replies?.find(([error]) => error);
        if (failed) {
          throw new Error(`filling ${master.name}: ${String(failed[0])}`);
        }
      }
    }),
  );
  const standbys = failoverLayout(lab.target, 'A').standbys;
  await lab.admin.waitCaughtUp([
    ...pairedByShard(layout.servingReplicas, layout.servingMasters),
    ...pairedByShard(standbys, layout.servingMasters),
  ]);
  const tookMs = performance.now() - started;
  console.log(
    `${layout.servingMasters.length} shards: filled ${mbPerShard} MB per shard (${keysPerShard} keys of ${VALUE_BYTES} B each) in ${formatMs(tookMs)}`,
  );
  return tookMs;
}

/**
 * The floor under kill → redundant: what the spares' full sync costs when driven by hand with
 * `redis-cli`, every spare at once as the drill does, against the masters that serve after the
 * cycle. The spares are empty nodes again after the failback.
 */
async function bareFullSync(lab: TestLab): Promise<number> {
  const layout = failoverLayout(lab.target, 'A');
  const cli = async (node: TargetNode, ...args: string[]) =>
    (await exec('redis-cli', ['-h', node.host, '-p', String(node.port), ...args])).stdout.trim();
  const started = performance.now();
  await Promise.all(
    pairedByShard(layout.spares, layout.servingMasters).map(async ({ replica, master }) => {
      const masterId = await cli(master, 'CLUSTER', 'MYID');
      await cli(replica, 'CLUSTER', 'MEET', master.host, String(master.port));
      await poll(`${replica.name} to know ${master.name}`, async () =>
        (await cli(replica, 'CLUSTER', 'NODES')).split('\n').some((line) => line.startsWith(masterId) && !line.includes('handshake')),
      );
      await poll(
        `${replica.name} to accept REPLICATE`,
        async () => !(await cli(replica, 'CLUSTER', 'REPLICATE', masterId)).startsWith('ERR'),
      );
      await poll(`${replica.name} to finish its full sync`, async () => {
        const info = await cli(replica, 'INFO', 'replication');
        return info.includes('master_link_status:up') && info.includes('master_sync_in_progress:0');
      });
    }),
  );
  return performance.now() - started;
}

async function poll(what: string, done: () => Promise<boolean>, timeoutMs = 900_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function reachable<T extends { reachable: boolean }>(snapshot: T): Extract<T, { reachable: true }> {
  if (!snapshot.reachable) {
    throw new Error('a master did not answer');
  }
  return snapshot as Extract<T, { reachable: true }>;
}

/** Samples this process's resident memory every 20 ms; `stop` gives the peak over the start, in MB. */
function sampleMemory(): { stop(): number } {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return (Math.max(peak, process.memoryUsage().rss) - start) / (1024 * 1024);
    },
  };
}

/** Least-squares slope of y over x. */
function fit(x: readonly number[], y: readonly number[]): number {
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [mx, my] = [mean(x), mean(y)];
  const covariance = x.reduce((sum, xi, index) => sum + (xi - mx) * (y[index]! - my), 0);
  const variance = x.reduce((sum, xi) => sum + (xi - mx) ** 2, 0);
  return covariance / variance;
}
