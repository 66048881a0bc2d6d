import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { redisArguments } from './lab.js';
import { LAB_LABEL, LAB_PORT_LABEL, LAB_ROLE_LABEL, labContainers } from './lab-topology.js';

interface ComposeService {
  container_name: string;
  network_mode: string;
  command: string[];
  labels: Record<string, string>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };

  it('describes the same thirteen containers as `npm run lab -- up`, so that either can start the lab', () => {
    const expected = labContainers({ name: 'redis-drill', basePort: 7000 });
    const services = Object.values(compose.services);
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
});
