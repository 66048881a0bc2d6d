import type { DrillDto } from '../drills/drill.dto.js';
import type { RepairDto } from '../drills/repair.dto.js';

/** Columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const ms = (value: number | undefined | null): string => (value === undefined || value === null ? '-' : `${value.toFixed(1)} ms`);

/** A drill as `show` prints it: its steps, then its figures. */
export function drillDetail(drill: DrillDto): string {
  const steps = table(
    ['step', 'status', 'duration', 'error'],
    drill.steps.map((step) => [step.name, step.status, ms(step.durationMs), step.error ?? '']),
  );
  const figures = [
    ['kill → cluster_state:ok', ms(drill.timings.killToServingMs)],
    ['kill → fully redundant', ms(drill.timings.killToRedundantMs)],
    ['failback', ms(drill.timings.failbackMs)],
    ['whole drill', ms(drill.timings.totalMs)],
    ...(drill.probe
      ? [
          ['client-side RTO', ms(drill.probe.clientRtoMs)],
          ['lost acknowledged writes', String(drill.probe.lostAckedWrites)],
        ]
      : []),
  ];
  return [
    `drill ${drill.id}: ${drill.scenario} on ${drill.target}, ${drill.trigger}, ${drill.status}${drill.error ? ` (${drill.error})` : ''}`,
    '',
    steps,
    '',
    table(['figure', 'value'], figures),
  ].join('\n');
}

/** A repair's answer: what is wrong, then what it does (or would do), or why it cannot. */
export function repairPlan(answer: RepairDto): string {
  if (answer.ready) {
    return `target ${answer.target} is ready for a failover drill: nothing to repair`;
  }
  const findings = answer.findings.map((finding) => `  - ${finding}`);
  const plan = answer.blocked
    ? [`repair cannot fix this: ${answer.blocked}`]
    : [
        answer.dryRun ? 'a repair would:' : 'the repair will:',
        table(
          ['#', 'action', 'what', 'on'],
          answer.actions.map((action, index) => [String(index + 1), action.kind, action.description, action.nodes.join(' ')]),
        ),
      ];
  return [
    `target ${answer.target} is not ready${answer.serving ? ` (group ${answer.serving} serves)` : ''}:`,
    ...findings,
    '',
    ...plan,
  ].join('\n');
}
