import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { posix } from 'node:path';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { AppError, errorMessage } from '../common/app-error.js';
import { pending, satisfied, waitFor, WaitTimeoutError } from '../common/wait-for.js';
import type { ClusterNodeEntry } from '../cluster/cluster-nodes.parser.js';
import { Docker, engineFailure } from '../docker/docker-engine.js';
import type { DrillTarget, TargetNode } from '../targets/drill-target.js';
import { viewsDisagreement, type MemberView } from '../targets/cluster-views.js';
import { discoverTarget, TargetDiscoveryError, type DiscoveredContainer } from '../targets/target-discovery.js';
import type { DiscoverTargetDto, DiscoveredTargetDto } from './target-discovery.dto.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
const REDIS_PORT = 6379;
/** Gossip carries a new member or a new role to every member within a few node timeouts' pings. */
export const VIEWS_AGREE_TIMEOUT_MS = 10_000;
const VIEWS_POLL_INTERVAL_MS = 200;

export class DiscoveryRequestError extends AppError {
  readonly code = 'BAD_DISCOVERY_REQUEST';
  override readonly httpStatus = HttpStatus.BAD_REQUEST;
}

/**
 * Writes a targets-file entry for a cluster already running in containers: reads the containers
 * that carry a label (a Compose project's, or any) on the service's Docker engine, and
 * `CLUSTER NODES` of one node. Reads only; changes nothing anywhere.
 */
@Injectable()
export class TargetDiscoveryService {
  constructor(
    @Inject(Docker) private readonly docker: Docker,
    @Inject(ClusterAdmin) private readonly admin: ClusterAdmin,
  ) {}

  async discover(request: DiscoverTargetDto): Promise<DiscoveredTargetDto> {
    if ((request.project === undefined) === (request.label === undefined)) {
      throw new DiscoveryRequestError('give either project (a Compose project) or label (key=value), not both or neither');
    }
    const [key, ...rest] = (request.label ?? `${COMPOSE_PROJECT_LABEL}=${request.project}`).split('=');
    const label = { key: key!, value: rest.join('=') };
    const separator = request.node.lastIndexOf(':');
    const node = { name: 'discovery', host: request.node.slice(0, separator), port: Number(request.node.slice(separator + 1)) };
    // Connections of its own, so that discovering a short-lived cluster leaves none open on its nodes.
    const [containers, entries] = await Promise.all([
      this.containers(label),
      this.admin.withOwnConnections((admin) => this.settledView(admin, node)),
    ]);
    const found = discoverTarget(request.name, label, containers, entries);
    return {
      servingGroup: found.servingGroup,
      masters: [...found.masters],
      replicas: [...found.replicas],
      standbys: [...found.standbys],
      spares: [...found.spares],
      entry: entryOf(found.target),
    };
  }

  /**
   * `CLUSTER NODES` of the given node once every member it knows answers with the same layout: a
   * layout read while gossip still carries a change would misplace a node. Members that do not
   * answer (a failed node) are left out of the comparison.
   */
  private async settledView(admin: ClusterAdmin, node: { name: string; host: string; port: number }): Promise<ClusterNodeEntry[]> {
    const given = `${node.host}:${node.port}`;
    const read = async (): Promise<ClusterNodeEntry[]> => {
      try {
        return await admin.entries(node);
      } catch (error) {
        throw new TargetDiscoveryError(`cannot read CLUSTER NODES from ${given}: ${errorMessage(error)}`);
      }
    };
    let entries = await read();
    try {
      return await waitFor(
        async () => {
          const members = entries.filter(
            (entry) => !entry.myself && entry.address !== '' && !entry.flags.some((flag) => flag === 'handshake' || flag === 'fail'),
          );
          const answers = await Promise.all(
            members.map((member) =>
              admin
                .entries({ name: 'discovery', host: member.host, port: member.port })
                .then((memberEntries): MemberView => ({ from: member.address, entries: memberEntries }))
                .catch(() => undefined),
            ),
          );
          const views = [{ from: given, entries }, ...answers.filter((view) => view !== undefined)];
          const disagreement = viewsDisagreement(views);
          if (disagreement === undefined) {
            return satisfied(entries);
          }
          entries = await read();
          return pending(disagreement);
        },
        {
          description: 'the cluster members to agree on its layout',
          timeoutMs: VIEWS_AGREE_TIMEOUT_MS,
          intervalMs: VIEWS_POLL_INTERVAL_MS,
        },
      );
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        throw new TargetDiscoveryError(
          `the cluster's members did not agree on its layout within ${VIEWS_AGREE_TIMEOUT_MS} ms (gossip still carrying a change, or a split cluster): ${error.lastReason}`,
        );
      }
      throw error;
    }
  }

  private async containers(label: { key: string; value: string }): Promise<DiscoveredContainer[]> {
    try {
      const listed = await this.docker.listContainers({ all: true, filters: { label: [`${label.key}=${label.value}`] } });
      return await Promise.all(
        listed.map(async ({ Id }) => {
          const info = await this.docker.getContainer(Id).inspect();
          const command = [...(info.Config.Cmd ?? []), ...(info.Config.Entrypoint ?? [])];
          const argument = (name: string) => {
            const at = command.indexOf(name);
            return at >= 0 ? command[at + 1] : undefined;
          };
          const file = argument('--cluster-config-file') ?? 'nodes.conf';
          const directory = argument('--dir') ?? (info.Config.WorkingDir || '/data');
          return {
            name: info.Name.replace(/^\//, ''),
            addresses: Object.values(info.NetworkSettings.Networks ?? {})
              .map((network) => network.IPAddress)
              .filter((address) => !!address),
            port: Number(argument('--port') ?? REDIS_PORT),
            clusterConfigFile: posix.resolve(directory, file),
          };
        }),
      );
    } catch (error) {
      throw engineFailure(error);
    }
  }
}

function entryOf(target: DrillTarget) {
  const node = ({ name, host, port, containerName }: TargetNode) => ({ name, host, port, containerName });
  return {
    name: target.name,
    containerLabel: { ...target.containerLabel },
    clusterConfigFile: target.clusterConfigFile,
    groups: { A: target.groups.A.map(node), B: target.groups.B.map(node) },
  };
}
