#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import type { DrillListDto } from '../drills/drill-list.dto.js';
import type { DrillPlanDto } from '../drills/drill-plan.dto.js';
import type { DrillAcceptedDto, DrillDto } from '../drills/drill.dto.js';
import type { AuditReportDto } from '../events/audit.dto.js';
import type { RepairDto } from '../drills/repair.dto.js';
import type { ScheduleDto } from '../schedules/schedule.dto.js';
import type { DiscoveredTargetDto } from '../admin/target-discovery.dto.js';
import { pending, satisfied, waitFor } from '../common/wait-for.js';
import { ApiClient } from './api-client.js';
import { parseCommand, type DrillRequest } from './cli-command.js';
import { CliError } from './cli-error.js';
import { drillDetail, ms, repairPlan, table } from './render.js';

const FINISHED = ['succeeded', 'failed', 'aborted'];
const FOLLOW_INTERVAL_MS = 200;

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.name === 'lab') {
    // The lab works on the local Docker engine, not through the service.
    const labCli = join(dirname(fileURLToPath(import.meta.url)), '..', 'lab', 'lab.cli.js');
    return spawnSync(process.execPath, [labCli, ...command.args], { stdio: 'inherit' }).status ?? 1;
  }
  const api = ApiClient.fromEnv();
  switch (command.name) {
    case 'run':
      return run(api, command.request, command.dryRun, command.timeoutMs);
    case 'history': {
      const { items } = await api.get<DrillListDto>(`/drills?${command.query.toString()}`);
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
      console.log(drillDetail(await api.get<DrillDto>(`/drills/${encodeURIComponent(command.id)}`)));
      return 0;
    case 'repair':
      return repair(api, command.target, command.dryRun, command.timeoutMs);
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
    case 'targets-discover': {
      const found = await api.post<DiscoveredTargetDto>('/admin/targets/discover', command.request);
      console.error(
        [
          `group ${found.servingGroup} serves`,
          `  masters   ${found.masters.join(' ')}`,
          `  replicas  ${found.replicas.join(' ')}`,
          `  standbys  ${found.standbys.join(' ')}`,
          `  spares    ${found.spares.join(' ')}`,
          'the entry for the targets file:',
        ].join('\n'),
      );
      console.log(JSON.stringify(found.entry, null, 2));
      return 0;
    }
    case 'audit-verify': {
      const report = await api.get<AuditReportDto>('/audit/verify');
      console.log(
        report.intact
          ? `audit log intact: ${report.eventsChecked} events, head ${report.head?.hash ?? '-'}`
          : `audit log BROKEN at position ${report.firstBrokenLink?.position}: ${report.firstBrokenLink?.problem}`,
      );
      return report.intact ? 0 : 1;
    }
  }
}

async function run(api: ApiClient, body: DrillRequest, dryRun: boolean, timeoutMs: number): Promise<number> {
  if (dryRun) {
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
  const drill = await follow(api, id, timeoutMs);
  return drill.status === 'succeeded' ? 0 : 1;
}

/** Prints what keeps the target from being ready and the plan; unless a dry run, follows the repair drill to its end. */
async function repair(api: ApiClient, target: string, dryRun: boolean, timeoutMs: number): Promise<number> {
  const answer = await api.post<RepairDto>(`/targets/${encodeURIComponent(target)}/repair`, dryRun ? { dryRun } : {});
  console.log(repairPlan(answer));
  if (!answer.drillId) {
    return answer.ready ? 0 : 1;
  }
  console.log(`\nrepair drill ${answer.drillId} queued; following it`);
  const drill = await follow(api, answer.drillId, timeoutMs);
  return drill.status === 'succeeded' ? 0 : 1;
}

/** Prints each step as it changes and then the drill's detail; resolves with the drill once it has finished. */
async function follow(api: ApiClient, id: string, timeoutMs: number): Promise<DrillDto> {
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
    { description: `drill ${id} to finish`, timeoutMs, intervalMs: FOLLOW_INTERVAL_MS },
  );
  console.log(`\n${drillDetail(drill)}`);
  return drill;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed the error or the help; a refused command line exits 2, as usage errors do.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    console.error(`redis-drill: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof CliError ? 2 : 1);
  },
);
