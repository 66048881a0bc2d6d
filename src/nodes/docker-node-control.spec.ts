import { describe, expect, it } from 'vitest';
import type { Docker } from '../docker/docker-engine.js';
import { labTarget } from '../lab/lab-topology.js';
import type { DockerEngineSpec, DrillTarget } from '../targets/drill-target.js';
import { DockerNodeControl } from './docker-node-control.js';

/** An engine that knows some containers by name, or does not answer at all. */
function engine(name: string, containers: readonly string[], answers = true) {
  const asked: string[] = [];
  const docker = {
    ping: () => (answers ? Promise.resolve('OK') : Promise.reject(new Error('connect ECONNREFUSED'))),
    getContainer: (container: string) => ({
      inspect: () => {
        asked.push(container);
        return containers.includes(container)
          ? Promise.resolve({
              Id: `${name}-${container}`,
              State: { Running: true, Pid: 0 },
              Config: { Labels: { 'io.redis-drill.lab': 'lab' } },
            })
          : Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 }));
      },
    }),
  } as unknown as Docker;
  return { docker, asked };
}

const west: DockerEngineSpec = { host: '127.0.0.1', port: 2376, ca: '/tls/ca.pem', cert: '/tls/cert.pem', key: '/tls/key.pem' };
const lab = labTarget({ name: 'lab', basePort: 7000 });
const split: DrillTarget = {
  ...lab,
  engines: { west },
  groups: { A: lab.groups.A, B: lab.groups.B.map((node) => ({ ...node, engine: 'west' })) },
};

describe('DockerNodeControl on several engines', () => {
  it('looks each container up on its own node’s engine only', async () => {
    const local = engine(
      'local',
      lab.groups.A.map((node) => node.containerName),
    );
    const remote = engine(
      'west',
      lab.groups.B.map((node) => node.containerName),
    );
    const control = new DockerNodeControl(local.docker, split, () => remote.docker);
    await expect(control.inspect(split.groups.A[0]!)).resolves.toMatchObject({ exists: true });
    await expect(control.inspect(split.groups.B[0]!)).resolves.toMatchObject({ exists: true });
    expect(local.asked).toEqual(['lab-a1']);
    expect(remote.asked).toEqual(['lab-b1']);
  });

  it('refuses a node whose engine differs from the one the target lists for it', async () => {
    const control = new DockerNodeControl(engine('local', []).docker, split, () => engine('west', []).docker);
    await expect(control.inspect({ ...split.groups.B[0]!, engine: undefined })).rejects.toThrow(/is not part of target lab/);
  });

  it('names each engine that does not answer', async () => {
    const control = new DockerNodeControl(engine('local', []).docker, split, () => engine('west', [], false).docker);
    await expect(control.ping()).rejects.toThrow(
      /^the Docker engine west \(tcp:\/\/127\.0\.0\.1:2376\) does not answer: connect ECONNREFUSED$/,
    );
  });
});

describe('DockerNodeControl readying a kill', () => {
  /** One engine whose containers run or not as `running` says at each look; it records every call. */
  function recordingEngine(running: (container: string) => boolean) {
    const calls: string[] = [];
    const docker = {
      getContainer: (container: string) => ({
        inspect: () => {
          calls.push(`inspect ${container}`);
          return Promise.resolve({
            Id: `id-${container}`,
            State: { Running: running(container), Pid: 0 },
            Config: { Labels: { 'io.redis-drill.lab': 'lab' } },
          });
        },
        kill: (options: { signal: string }) => {
          calls.push(`kill ${container} ${options.signal}`);
          return Promise.resolve();
        },
      }),
    } as unknown as Docker;
    return { docker, calls };
  }

  it('checks the container when readied and only signals it, by the inspected id, when fired', async () => {
    const { docker, calls } = recordingEngine(() => true);
    const ready = await new DockerNodeControl(docker, lab).readyKill(lab.groups.A[0]!);
    expect(calls).toEqual(['inspect lab-a1']);
    await expect(ready.fire()).resolves.toEqual({ alreadyStopped: false, method: 'engine' });
    expect(calls).toEqual(['inspect lab-a1', 'kill id-lab-a1 SIGKILL']);
  });

  it('looks again at a container that was stopped when readied, and kills it if it was started since', async () => {
    let started = false;
    const { docker, calls } = recordingEngine(() => started);
    const ready = await new DockerNodeControl(docker, lab).readyKill(lab.groups.A[0]!);
    started = true;
    await expect(ready.fire()).resolves.toEqual({ alreadyStopped: false, method: 'engine' });
    expect(calls).toEqual(['inspect lab-a1', 'inspect lab-a1', 'kill id-lab-a1 SIGKILL']);
  });

  it('refuses to ready a kill of a container outside its target, touching nothing', async () => {
    const { docker, calls } = recordingEngine(() => true);
    const stranger = { ...lab.groups.A[0]!, containerName: 'someone-else' };
    await expect(new DockerNodeControl(docker, lab).readyKill(stranger)).rejects.toThrow(/is not part of target lab/);
    expect(calls).toEqual([]);
  });
});
