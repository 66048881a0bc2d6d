import { isAbsolute, resolve } from 'node:path';
import type { Docker } from '../../src/docker/docker-engine.js';
import type { ComposeService } from './compose-file.js';

const PROJECT_LABEL = 'com.docker.compose.project';

/**
 * Services of a Compose file started through the Docker API as `docker compose -p <name> up` starts
 * them, for machines without the Compose CLI: named volumes created as `<name>_<volume>`, bind
 * mounts resolved against the file's directory, everything labelled with the project. Containers
 * are named `<name>-<service>-1`, whatever `container_name` the file gives, so that a test never
 * takes the names of a user's deployment. `down` removes every container, volume and network that
 * carries the project's label.
 */
export class ComposeProject {
  constructor(
    private readonly docker: Docker,
    readonly name: string,
    private readonly directory: string,
  ) {}

  containerName(service: string): string {
    return `${this.name}-${service}-1`;
  }

  async up(service: string, spec: ComposeService): Promise<void> {
    const labels = { [PROJECT_LABEL]: this.name, 'com.docker.compose.service': service };
    const binds: string[] = [];
    for (const volume of spec.volumes ?? []) {
      const [source, ...rest] = volume.split(':');
      if (source!.startsWith('.') || isAbsolute(source!)) {
        binds.push([resolve(this.directory, source!), ...rest].join(':'));
      } else {
        const named = `${this.name}_${source}`;
        await this.docker.createVolume({ Name: named, Labels: { [PROJECT_LABEL]: this.name, 'com.docker.compose.volume': source! } });
        binds.push([named, ...rest].join(':'));
      }
    }
    const container = await this.docker.createContainer({
      name: this.containerName(service),
      Image: spec.image,
      Cmd: spec.command ? [...spec.command] : undefined,
      WorkingDir: spec.working_dir,
      Env: Object.entries(spec.environment ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: labels,
      HostConfig: { NetworkMode: spec.network_mode, Binds: binds },
    });
    await container.start();
  }

  /** What a service's container printed so far, for a test's failure message. */
  async logs(service: string): Promise<string> {
    const output = await this.docker.getContainer(this.containerName(service)).logs({ stdout: true, stderr: true, tail: 200 });
    return withoutFrameHeaders(output);
  }

  /** Containers, volumes and networks that still carry the project's label. */
  async leftovers(): Promise<string[]> {
    const filters = { label: [`${PROJECT_LABEL}=${this.name}`] };
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    return [
      ...(await this.docker.listContainers({ all: true, filters })).map((container) => `container ${container.Names.join(',')}`),
      ...(volumes ?? []).map((volume) => `volume ${volume.Name}`),
      ...(await this.docker.listNetworks({ filters })).map((network) => `network ${network.Name}`),
    ];
  }

  async down(): Promise<void> {
    const filters = { label: [`${PROJECT_LABEL}=${this.name}`] };
    for (const container of await this.docker.listContainers({ all: true, filters })) {
      await this.docker.getContainer(container.Id).remove({ force: true, v: true });
    }
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    for (const volume of volumes ?? []) {
      await this.docker.getVolume(volume.Name).remove();
    }
    for (const network of await this.docker.listNetworks({ filters })) {
      await this.docker.getNetwork(network.Id).remove();
    }
  }
}

/** A container without a terminal logs in frames, each behind an 8-byte header whose last 4 give its length. */
export function withoutFrameHeaders(output: Buffer): string {
  const text: string[] = [];
  for (let offset = 0; offset + 8 <= output.length;) {
    const length = output.readUInt32BE(offset + 4);
    text.push(output.subarray(offset + 8, offset + 8 + length).toString('utf8'));
    offset += 8 + length;
  }
  return text.join('');
}
