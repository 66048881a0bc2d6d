import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeUnreachableError } from '../src/cluster/cluster-errors.js';
import { RedisConnections } from '../src/cluster/redis-connections.js';
import { systemClock } from '../src/common/clock.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { topologyDifferences } from '../src/drills/topology-match.js';
import { labTarget } from '../src/lab/lab-topology.js';
import type { ProbeReport } from '../src/probe/probe-report.js';
import { targetNodes, type DrillTarget } from '../src/targets/drill-target.js';
import { PROCESS_SECRETS, resolveTargetSecurity } from '../src/targets/target-security.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('a target that speaks TLS only', () => {
  let certificates: TestCertificates;
  let lab: TestLab;
  let target: DrillTarget;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    certificates = makeTestCertificates();
    const settings = { ...(await freeLab('auth-tls-tls')), security: { tlsDirectory: certificates.directory } };
    target = {
      ...labTarget(settings, 'lab'),
      tls: { caFile: certificates.caFile, certFile: certificates.clientCertFile, keyFile: certificates.clientKeyFile },
    };
    lab = await startTestLab(settings, { form: true, connection: resolveTargetSecurity(target, PROCESS_SECRETS) });
    drills = await drillRunnerFor({ ...lab, target });
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
    certificates?.remove();
  });

  it('serves no plain TCP, and refuses a client that does not trust its CA, naming the node and the cause', async () => {
    const [node] = targetNodes(target);
    expect(await lab.admin.configGet(node!, 'port')).toBe('0');
    expect(await lab.admin.configGet(node!, 'tls-replication')).toBe('yes');
    const plain = new RedisConnections({ connectTimeoutMs: 2_000 });
    await expect(plain.command(node!, 'PING')).rejects.toThrow();
    await plain.closeAll();
    const distrustful = new RedisConnections({ connectTimeoutMs: 2_000 }, () => ({
      tls: { ...resolveTargetSecurity(target, PROCESS_SECRETS).tls!, ca: certificatesOf(certificates.otherCaFile) },
    }));
    const refusal = await distrustful.command(node!, 'PING').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NodeUnreachableError);
    expect((refusal as Error).message).toMatch(new RegExp(`^cannot connect to Redis at ${node!.host}:${node!.port}: .*certificate`));
    await distrustful.closeAll();
  });

  it('fails over and back over TLS, the probe and the canaries included, losing no acknowledged write', async () => {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario: 'failover-and-failback', target: 'lab', trigger: 'manual' },
    });
    const { state } = await drills.runner.run(id);
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(topologyDifferences(state.topology, await lab.admin.snapshots(targetNodes(target)))).toEqual([]);
    expect(await lab.missingCanaries(id, target.groups.A.slice(0, 3))).toEqual([]);
    expect(state.probe?.state).toBe('reported');
    const report = (state.probe as { report: ProbeReport }).report;
    expect(report.acked).toBeGreaterThan(0);
    expect(report.lostAckedWrites).toBe(0);
  });
});

function certificatesOf(path: string): string {
  return PROCESS_SECRETS.readFile(path);
}
