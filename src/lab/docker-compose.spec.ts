import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { redisArguments } from './lab.js';
import { LAB_LABEL, LAB_PORT_LABEL, LAB_ROLE_LABEL, labContainers } from './lab-topology.js';

interface ComposeService {
  image: string;
  container_name: string;
  network_mode: string;
  command: string[];
  labels: Record<string, string>;
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const inProfile = (profile: string | undefined) =>
    Object.entries(compose.services).filter(([, service]) => (service.profiles ?? []).join() === (profile ?? ''));

  it('describes the same thirteen containers as `npm run lab -- up`, so that either can start the lab', () => {
    const expected = labContainers({ name: 'redis-drill', basePort: 7000 });
    const services = inProfile(undefined).map(([, service]) => service);
    expect(services).toHaveLength(expected.length);
    for (const container of expected) {
      const service = services.find((candidate) => candidate.container_name === container.containerName);
      expect(service, container.containerName).toBeDefined();
      expect(service!.network_mode).toBe('host');
      expect(service!.command).toEqual(redisArguments(container));
      expect(service!.labels).toEqual({
        [LAB_LABEL]: 'redis-drill',
        [LAB_ROLE_LABEL]: container.role,
        [LAB_PORT_LABEL]: String(container.port),
      });
    }
  });

  it('adds under the ha profile a PostgreSQL on loopback and a second instance sharing it and the lab queue, and nothing else', () => {
    expect(inProfile('ha').map(([name]) => name)).toEqual(['postgres', 'instance-two']);
    expect(Object.keys(compose.services)).toHaveLength(labContainers({ name: 'redis-drill', basePort: 7000 }).length + 2);
    const { postgres, 'instance-two': instance } = compose.services;
    expect(postgres!.network_mode).toBe('host');
    expect(postgres!.command).toContain('listen_addresses=127.0.0.1');
    // No password is written down: the variable comes from the caller's environment.
    expect(postgres!.environment).toMatchObject({
      POSTGRES_USER: 'drill',
      POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-}',
      POSTGRES_DB: 'redis_drill',
    });
    // Neither is a lab container, so `npm run lab -- down` leaves them alone.
    expect(postgres!.labels).toBeUndefined();
    expect(instance!.labels).toBeUndefined();

    const queue = labContainers({ name: 'redis-drill', basePort: 7000 }).find((container) => container.role === 'queue')!;
    // Ports come from variables, for a machine where the defaults are taken; the defaults are the lab's.
    expect(postgres!.image).toBe('${POSTGRES_IMAGE:-postgres:17}');
    expect(postgres!.command).toContain('port=${POSTGRES_PORT:-5432}');
    expect(instance!.environment).toMatchObject({
      PORT: '${INSTANCE_TWO_PORT:-3001}',
      DATABASE_URL: 'postgres://drill:${POSTGRES_PASSWORD:-}@127.0.0.1:${POSTGRES_PORT:-5432}/redis_drill',
      REDIS_URL: `redis://127.0.0.1:\${LAB_BASE_PORT:-${queue.port}}`,
    });
    expect(instance!.environment).not.toHaveProperty('WORKER_ENABLED');
    expect(instance!.depends_on).toEqual(['postgres', 'queue']);
    // Its working directory is a volume of its own: the two instances share no file.
    expect(instance!.volumes).toContain('redis-drill-instance-two:/srv/redis-drill');
    expect(Object.keys(compose.volumes)).toEqual(['redis-drill-postgres', 'redis-drill-instance-two-modules', 'redis-drill-instance-two']);
  });
});
