import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import { followProgress, Docker } from '../../src/docker/docker-engine.js';
import type { DockerEngineSpec } from '../../src/targets/drill-target.js';
import { freePortBlock } from './free-ports.js';
import { makeTestCertificates, type TestCertificates } from './test-certificates.js';

const DOCKERD = '/usr/sbin/dockerd';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * A second Docker engine on this machine, beside the one the tests normally use: a dockerd of
 * its own (data root, exec root, pidfile, Unix socket, all in a temporary directory) that also
 * listens on `tcp://127.0.0.1:<port>` behind TLS with client certificates. It creates no bridge
 * and writes no iptables rules, so the first engine's networks stay untouched; its containers use
 * host networking like the lab's. It runs with `--live-restore`: stopping it leaves its
 * containers running, as when a remote engine's daemon dies while its host lives on.
 */
export interface SecondDockerEngine {
  /** Its client over the Unix socket, for the test's own setup and checks. */
  readonly docker: Docker;
  readonly socketPath: string;
  readonly port: number;
  /** How a target reaches it: TCP with the TLS client certificate. */
  readonly spec: Extract<DockerEngineSpec, { host: string }>;
  /** Whether its dockerd runs now. */
  running(): boolean;
  /** Stops its dockerd (SIGTERM) and waits for the process to end; its containers keep running. */
  stop(): Promise<void>;
  /** Starts its dockerd again on the same directories, waiting until it answers. */
  start(): Promise<void>;
  /** Removes every container it runs, stops it, and deletes its directories and certificates. */
  remove(): Promise<void>;
}

/**
 * Starts the engine and loads `images` into it from `first` (a `docker save` piped into a
 * `docker load`), so that it can run the lab's Redis without a registry.
 */
export async function startSecondDockerEngine(first: Docker, images: readonly string[]): Promise<SecondDockerEngine> {
  const root = mkdtempSync(join(tmpdir(), 'engines-dockerd-'));
  const certificates = makeTestCertificates();
  const port = await freePortBlock(1);
  const socketPath = join(root, 'docker.sock');
  const logFile = join(root, 'dockerd.log');
  for (const directory of ['data', 'exec']) {
    mkdirSync(join(root, directory));
  }
  const args = [
    ...['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'dockerd.pid')],
    ...['-H', `unix://${socketPath}`, '-H', `tcp://127.0.0.1:${port}`],
    // The lab's node certificate names 127.0.0.1, so it serves as the engine's own.
    ...['--tlsverify', '--tlscacert', certificates.caFile, '--tlscert', join(certificates.directory, 'node.crt')],
    ...['--tlskey', join(certificates.directory, 'node.key')],
    ...['--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--live-restore'],
  ];
  const docker = new Docker({ socketPath });
  let daemon: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const log = openSync(logFile, 'a');
    daemon = spawn(DOCKERD, args, { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    const started = daemon;
    await waitFor(
      async () => {
        if (started.exitCode !== null) {
          throw new Error(`dockerd exited with ${started.exitCode}; last lines of ${logFile}:\n${lastLines(logFile)}`);
        }
        return docker.ping().then(
          () => satisfied(undefined),
          (error: Error) => pending(error.message),
        );
      },
      { description: `the second Docker engine (${socketPath}) to answer`, timeoutMs: START_TIMEOUT_MS, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nlast lines of ${logFile}:\n${lastLines(logFile)}`);
    });
  };

  const stop = async (): Promise<void> => {
    const stopping = daemon;
    if (!stopping || stopping.exitCode !== null || stopping.signalCode !== null) {
      return;
    }
    stopping.kill('SIGTERM');
    await waitFor(
      async () => (stopping.exitCode !== null || stopping.signalCode !== null ? satisfied(undefined) : pending('still running')),
      {
        description: `the second Docker engine's dockerd (pid ${stopping.pid}) to exit`,
        timeoutMs: STOP_TIMEOUT_MS,
        intervalMs: 50,
      },
    );
  };

  const running = () => daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null;

  const remove = async (): Promise<void> => {
    try {
      if (!running()) {
        await start();
      }
      const containers = await docker.listContainers({ all: true });
      await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true })));
    } finally {
      await stop();
      unmountUnder(root);
      rmSync(root, { recursive: true, force: true });
      certificates.remove();
    }
  };

  try {
    await start();
    for (const image of images) {
      await followProgress(docker, await docker.loadImage(await first.getImage(image).get()));
    }
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  return { docker, socketPath, port, spec: engineSpec(port, certificates), running, stop, start, remove };
}

function engineSpec(port: number, certificates: TestCertificates): Extract<DockerEngineSpec, { host: string }> {
  return { host: '127.0.0.1', port, ca: certificates.caFile, cert: certificates.clientCertFile, key: certificates.clientKeyFile };
}

/** dockerd leaves its data root bind-mounted on itself and its network namespace mounted after it exits. */
function unmountUnder(root: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((point): point is string => point !== undefined && (point === root || point.startsWith(`${root}/`)))
    .sort((left, right) => right.length - left.length);
  for (const point of mounts) {
    execFileSync('umount', [point], { stdio: 'pipe' });
  }
}

function lastLines(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
