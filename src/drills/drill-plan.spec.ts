import { describe, expect, it } from 'vitest';
import { labTarget } from '../lab/lab-topology.js';
import { failoverLayout, targetNodes } from '../targets/drill-target.js';
import { SCENARIO_STEPS, SCENARIOS } from './scenarios.js';
import { planDrill } from './drill-plan.js';

const target = labTarget({ name: 'plan', basePort: 7000 }, 'lab');
const killOf = (plan: ReturnType<typeof planDrill>) => plan.operations.filter((operation) => operation.step === 'kill');

describe('planDrill', () => {
  it('kills exactly the serving group’s containers, and promotes the standbys of the other group', () => {
    const plan = planDrill(target, failoverLayout(target, 'A'), 'group-failover', {}, 16_384);
    expect(plan).toMatchObject({ from: 'A', to: 'B', steps: SCENARIO_STEPS['group-failover'] });
    expect(killOf(plan)).toEqual([
      {
        step: 'kill',
        action: 'last look: every standby answers with its link to its master up, or the drill is refused untouched',
        command: 'INFO replication',
        nodes: ['b1', 'b2', 'b3'],
      },
      {
        step: 'kill',
        action: 'SIGKILL every container of the serving group at once',
        containers: target.groups.A.map((node) => node.containerName),
      },
    ]);
    const takeovers = plan.operations.filter((operation) => operation.command === 'CLUSTER FAILOVER TAKEOVER');
    expect(takeovers.map((operation) => operation.nodes)).toEqual([['b1'], ['b2'], ['b3']]);
    expect(
      plan.operations.filter((operation) => operation.command?.startsWith('CLUSTER FORGET')).map((operation) => operation.command),
    ).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((name) => `CLUSTER FORGET <id of ${name}>`));
  });

  it('fails over the other way when B serves', () => {
    const plan = planDrill(target, failoverLayout(target, 'B'), 'group-failover', {}, 16_384);
    expect(plan).toMatchObject({ from: 'B', to: 'A' });
    expect(killOf(plan)[0]!.nodes).toEqual(['a1', 'a2', 'a3']);
    expect(killOf(plan).at(-1)!.containers).toEqual(target.groups.B.map((node) => node.containerName));
  });

  it('holds writes and waits for the standbys before a planned kill', () => {
    const plan = planDrill(target, failoverLayout(target, 'A'), 'group-failover', { planned: true }, 16_384);
    expect(killOf(plan).map((operation) => operation.command ?? 'SIGKILL')).toEqual([
      'INFO replication',
      'CLIENT PAUSE <step timeout> WRITE',
      'INFO replication',
      'SIGKILL',
    ]);
  });

  it.each(SCENARIOS)('plans every step of %s in order, on nodes and containers of the target only', (scenario) => {
    const plan = planDrill(target, failoverLayout(target, 'A'), scenario, {}, 100);
    const steps = [...new Set(plan.operations.map((operation) => operation.step))];
    expect(steps).toEqual(SCENARIO_STEPS[scenario]);
    const nodes = new Set(targetNodes(target).map((node) => node.name));
    const containers = new Set(targetNodes(target).map((node) => node.containerName));
    for (const operation of plan.operations) {
      expect(operation.nodes ?? operation.containers, operation.action).toBeDefined();
      expect(
        (operation.nodes ?? []).every((name) => nodes.has(name)),
        operation.action,
      ).toBe(true);
      expect(
        (operation.containers ?? []).every((name) => containers.has(name)),
        operation.action,
      ).toBe(true);
    }
  });
});
