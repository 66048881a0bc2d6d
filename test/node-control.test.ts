import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsConnections } from '../src/cluster/port-probe.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { LAB_LABEL } from '../src/lab/lab-topology.js';
import { DockerNodeControl } from '../src/nodes/docker-node-control.js';
import { NodeControlRefusedError } from '../src/nodes/node-control.js';
import type { TargetNode } from '../src/targets/drill-target.js';
import { startUnrelatedRedis } from './support/containers.js';
import { freeLab, freePortBlock } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('node control and the lab leave alone what is not theirs', () => {
  let lab: TestLab;
  let unlabelled: Awaited<ReturnType<typeof startUnrelatedRedis>>;
  let otherLab: Awaited<ReturnType<typeof startUnrelatedRedis>>;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-nodes'), { form: false });
    // Chosen once the lab listens, so that the lab's own ports cannot be among them.
    const unrelatedPort = await freePortBlock(2);
    unlabelled = await startUnrelatedRedis(lab.docker, lab.image, 'rdtest-nodes-unlabelled', unrelatedPort);
    otherLab = await startUnrelatedRedis(lab.docker, lab.image, 'rdtest-nodes-other-lab', unrelatedPort + 1, {
      [LAB_LABEL]: 'someone-else',
    });
  });

  afterAll(async () => {
    await unlabelled?.remove();
    await otherLab?.remove();
    await lab?.close();
  });

  const a1 = () => lab.target.groups.A[0]!;

  it('kills a node of its target with SIGKILL and starts it again', async () => {
    const control = new DockerNodeControl(lab.docker, lab.target);
    expect(await control.kill(a1())).toEqual({ alreadyStopped: false, method: 'signal' });
    await waitFor(async () => ((await acceptsConnections(a1())) ? pending('a1 still accepts connections') : satisfied(undefined)), {
      description: 'a1 to die',
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    await waitFor(async () => ((await control.inspect(a1())).running ? pending('engine reports a1 running') : satisfied(undefined)), {
      description: 'the engine to report a1 stopped',
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    expect(await control.kill(a1())).toEqual({ alreadyStopped: true, method: 'none' });
    expect(await control.start(a1())).toEqual({ alreadyRunning: false });
    expect(await control.start(a1())).toEqual({ alreadyRunning: true });
    await waitFor(async () => ((await acceptsConnections(a1())) ? satisfied(undefined) : pending('a1 not listening yet')), {
      description: 'a1 to listen again',
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  });

  it('refuses a container that is not listed in its target, by name', async () => {
    const control = new DockerNodeControl(lab.docker, lab.target);
    const stranger: TargetNode = { ...a1(), containerName: unlabelled.name };
    await expect(control.kill(stranger)).rejects.toThrow(NodeControlRefusedError);
    await expect(control.kill(stranger)).rejects.toThrow(
      `container ${unlabelled.name} (node a1) is not part of target lab; refusing to touch it`,
    );
    expect(await unlabelled.running()).toBe(true);
  });

  it("refuses a listed container that does not carry the target's label", async () => {
    const strangerTarget = {
      ...lab.target,
      groups: { ...lab.target.groups, A: [{ ...a1(), containerName: otherLab.name }, ...lab.target.groups.A.slice(1)] },
    };
    const control = new DockerNodeControl(lab.docker, strangerTarget);
    await expect(control.kill(strangerTarget.groups.A[0]!)).rejects.toThrow(
      `container ${otherLab.name} lacks the label ${LAB_LABEL}=rdtest-nodes of target lab; refusing to touch it`,
    );
    await expect(control.start(strangerTarget.groups.A[0]!)).rejects.toThrow(NodeControlRefusedError);
    expect(await otherLab.running()).toBe(true);
  });

  it("lab status shows only the lab's containers, and down removes only those", async () => {
    const status = await lab.lab.status();
    expect(status.map((row) => row.container)).toEqual([
      'rdtest-nodes-queue',
      ...['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((name) => `rdtest-nodes-${name}`),
    ]);
    expect(status.every((row) => row.state === 'running')).toBe(true);
    expect(await lab.lab.down()).toBe(13);
    expect((await lab.lab.status()).every((row) => row.state === 'missing')).toBe(true);
    expect(await unlabelled.running()).toBe(true);
    expect(await otherLab.running()).toBe(true);
  });
});
