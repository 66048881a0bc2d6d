#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DrillListDto } from '../drills/drill-list.dto.js';
import type { DrillPlanDto } from '../drills/drill-plan.dto.js';
import type { DrillAcceptedDto, DrillDto } from '../drills/drill.dto.js';
import type { AuditReportDto } from '../events/audit.dto.js';
import type { ScheduleDto } from '../schedules/schedule.dto.js';
import { pending, satisfied, waitFor } from '../common/wait-for.js';
import { ApiClient, CliError } from './api-client.js';
import { drillDetail, ms, table } from './render.js';

const USAGE = `usage: redis-drill <command> [options]        (npm run cli -- <command> [options])
  run <scenario>     request a drill and follow it step by step; exits 0 only if it succeeds
                       --target <name>  --planned  --wait-for-target  --no-probe  --timeout-s <s> (default 3600)
                       --max-outage-ms <ms>  --max-failed-writes <n>   stop conditions on the probe's clients
                       --dry-run (print the plan only)
  history            recent drills, newest first: --status <s>  --target <name>  --limit <n>
  show <id>          a drill's steps and figures
  schedules          every schedule and its next run
  audit verify       walk the audit log's hash chain; exits 1 on a broken link
  lab up|down|status|reset   the local lab (same as npm run lab)
environment: REDIS_DRILL_URL (default http://127.0.0.1:3000/api), REDIS_DRILL_TOKEN (an API token)`;

const FINISHED = ['succeeded', 'failed', 'aborted'];
const FOLLOW_INTERVAL_MS = 200;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'lab') {
    // The lab works on the local Docker engine, not through the service.
    const labCli = join(dirname(fileURLToPath(import.meta.url)), '..', 'lab', 'lab.cli.js');
    return spawnSync(process.execPath, [labCli, ...rest], { stdio: 'inherit' }).status ?? 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      planned: { type: 'boolean' },
      'wait-for-target': { type: 'boolean' },
      'no-probe': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      status: { type: 'string' },
      limit: { type: 'string' },
      'timeout-s': { type: 'string' },
      'max-outage-ms': { type: 'string' },
      'max-failed-writes': { type: 'string' },
    },
  });
  const api = ApiClient.fromEnv();
  switch (command) {
    case 'run':
      return run(api, positionals[0], values);
    case 'history': {
      const query = new URLSearchParams();
      for (const key of ['status', 'target', 'limit'] as const) {
        if (values[key]) {
          query.set(key, values[key]);
        }
      }
      const { items } = await api.get<DrillListDto>(`/drills?${query.toString()}`);
      console.log(
        table(
          ['id', 'requested', 'scenario', 'target', 'trigger', 'status', 'kill→ok', 'kill→redundant', 'total'],
          items.map((drill) => [
            drill.id,
            drill.requestedAt,
            drill.scenario,
            drill.target,
            drill.trigger,
            drill.status,
            ms(drill.killToServingMs),
            ms(drill.killToRedundantMs),
            ms(drill.totalMs),
          ]),
        ),
      );
      return 0;
    }
    case 'show':
      if (!positionals[0]) {
        throw new CliError('show needs a drill id');
      }
      console.log(drillDetail(await api.get<DrillDto>(`/drills/${encodeURIComponent(positionals[0])}`)));
      return 0;
    case 'schedules': {
      const schedules = await api.get<ScheduleDto[]>('/schedules');
      console.log(
        table(
          ['id', 'name', 'cadence', 'scenario', 'target', 'enabled', 'next run'],
          schedules.map((schedule) => [
            schedule.id,
            schedule.name,
            schedule.cron ? `${schedule.cron} (${schedule.tz})` : `every ${schedule.everyMs} ms`,
            schedule.scenario,
            schedule.target,
            String(schedule.enabled),
            schedule.nextRuns[0] ?? '-',
          ]),
        ),
      );
      return 0;
    }
    case 'audit': {
      if (positionals[0] !== 'verify') {
        throw new CliError('the audit command is: audit verify');
      }
      const report = await api.get<AuditReportDto>('/audit/verify');
      console.log(
        report.intact
          ? `audit log intact: ${report.eventsChecked} events, head ${report.head?.hash ?? '-'}`
          : `audit log BROKEN at position ${report.firstBrokenLink?.position}: ${report.firstBrokenLink?.problem}`,
      );
      return report.intact ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/** A whole-number flag as a drill option; the service checks its range and names the field if it is out of it. */
function integerOption(option: string, flag: string, value: string | boolean | undefined): Record<string, number> {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new CliError(`${flag} takes a whole number, not "${String(value)}"`);
  }
  return { [option]: Number(value) };
}

async function run(api: ApiClient, scenario: string | undefined, values: Record<string, string | boolean | undefined>): Promise<number> {
  if (!scenario) {
    throw new CliError('run needs a scenario, e.g. run group-failover');
  }
  const body = {
    scenario,
    ...(values.target ? { target: values.target } : {}),
    ...(values['wait-for-target'] ? { waitForTarget: true } : {}),
    options: {
      ...(values.planned ? { planned: true } : {}),
      ...(values['no-probe'] ? { probe: false } : {}),
      ...integerOption('maxClientOutageMs', '--max-outage-ms', values['max-outage-ms']),
      ...integerOption('maxFailedWrites', '--max-failed-writes', values['max-failed-writes']),
    },
  };
  if (values['dry-run']) {
    const plan = await api.post<DrillPlanDto>('/drills/plan', body);
    console.log(`${plan.scenario} on ${plan.target}: group ${plan.from} is killed, group ${plan.to} takes over\n`);
    console.log(
      table(
        ['step', 'action', 'command', 'on'],
        plan.operations.map((operation) => [
          operation.step,
          operation.action,
          operation.command ?? '',
          (operation.nodes ?? operation.containers ?? []).join(' '),
        ]),
      ),
    );
    return 0;
  }
  const { id } = await api.post<DrillAcceptedDto>('/drills', body);
  console.log(`drill ${id} queued; following it`);
  const shown = new Set<string>();
  const drill = await waitFor(
    async () => {
      const current = await api.get<DrillDto>(`/drills/${id}`);
      for (const step of current.steps) {
        const key = `${step.name}:${step.status}`;
        if (step.status !== 'pending' && !shown.has(key)) {
          shown.add(key);
          console.log(`  ${step.name.padEnd(10)} ${step.status.padEnd(10)} ${step.durationMs === undefined ? '' : ms(step.durationMs)}`);
        }
      }
      return FINISHED.includes(current.status) ? satisfied(current) : pending(`drill is ${current.status}`);
    },
    { description: `drill ${id} to finish`, timeoutMs: Number(values['timeout-s'] ?? 3600) * 1000, intervalMs: FOLLOW_INTERVAL_MS },
  );
  console.log(`\n${drillDetail(drill)}`);
  return drill.status === 'succeeded' ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`redis-drill: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof CliError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
