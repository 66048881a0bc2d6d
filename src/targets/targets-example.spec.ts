import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from './targets-file.js';

const example = readFileSync(new URL('../../examples/targets/tls-two-engines.json', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's targets-file example", () => {
  it('is the example file, word for word', () => {
    expect(readme).toContain(`\`\`\`json\n${example}\`\`\``);
  });

  it('is a password-protected TLS target whose groups run on two engines reached over TLS', () => {
    const { targets, defaultTarget } = parseTargetsFile(example);
    expect(defaultTarget).toBe('orders');
    const [orders] = targets;
    expect(orders!.auth).toEqual({ username: 'drill', passwordFile: '/run/secrets/orders-redis-drill-password' });
    expect(example).not.toMatch(/"password"/);
    expect(orders!.tls).toEqual({
      caFile: '/etc/redis-drill/orders/ca.crt',
      certFile: '/etc/redis-drill/orders/client.crt',
      keyFile: '/etc/redis-drill/orders/client.key',
    });
    expect(orders!.engines).toEqual({
      east: {
        host: '10.0.1.5',
        port: 2376,
        ca: '/etc/redis-drill/east/ca.pem',
        cert: '/etc/redis-drill/east/cert.pem',
        key: '/etc/redis-drill/east/key.pem',
      },
      west: {
        host: '10.0.2.5',
        port: 2376,
        ca: '/etc/redis-drill/west/ca.pem',
        cert: '/etc/redis-drill/west/cert.pem',
        key: '/etc/redis-drill/west/key.pem',
      },
    });
    expect(orders!.groups.A.map((node) => node.engine)).toEqual(Array(6).fill('east'));
    expect(orders!.groups.B.map((node) => node.engine)).toEqual(Array(6).fill('west'));
    expect(orders!.groups.B[0]).toEqual({
      name: 'b1',
      host: '10.0.2.11',
      port: 6379,
      containerName: 'redis-b1',
      group: 'B',
      engine: 'west',
    });
  });
});
