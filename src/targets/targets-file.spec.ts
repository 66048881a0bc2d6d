import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from './targets-file.js';

const nodes = (group: 'a' | 'b', base: number) =>
  [1, 2, 3, 4, 5, 6].map((n) => ({ name: `${group}${n}`, port: base + n, containerName: `staging-${group}${n}` }));
const staging = {
  name: 'staging',
  containerLabel: { key: 'io.example.redis', value: 'staging' },
  clusterConfigFile: '/data/nodes.conf',
  groups: { A: nodes('a', 7100), B: nodes('b', 7110) },
};
const withChange = (change: (copy: typeof staging & Record<string, unknown>) => void, extra: Record<string, unknown> = {}) => {
  const copy = structuredClone(staging) as typeof staging & Record<string, unknown>;
  change(copy);
  return JSON.stringify({ targets: [copy], ...extra });
};

describe('parseTargetsFile', () => {
  it('reads targets, with 127.0.0.1 as the host unless given, and the default', () => {
    const { targets, defaultTarget } = parseTargetsFile(JSON.stringify({ default: 'staging', targets: [staging] }));
    expect(defaultTarget).toBe('staging');
    expect(targets[0]).toMatchObject({ name: 'staging', containerLabel: staging.containerLabel, clusterConfigFile: '/data/nodes.conf' });
    expect(targets[0]!.groups.B[5]).toEqual({ name: 'b6', host: '127.0.0.1', port: 7116, containerName: 'staging-b6', group: 'B' });
  });

  it('reads two replicas per master, and refuses any other count', () => {
    const nine = (group: 'a' | 'b', base: number) =>
      Array.from({ length: 9 }, (_, index) => ({
        name: `${group}${index + 1}`,
        port: base + index + 1,
        containerName: `staging-${group}${index + 1}`,
      }));
    const wide = { ...staging, replicasPerMaster: 2, groups: { A: nine('a', 7100), B: nine('b', 7120) } };
    expect(parseTargetsFile(JSON.stringify({ targets: [wide] })).targets[0]!.replicasPerMaster).toBe(2);
    expect(() => parseTargetsFile(JSON.stringify({ targets: [{ ...wide, replicasPerMaster: 3 }] }))).toThrow(
      /^targets\[0\]\.replicasPerMaster must be 1 or 2, got 3$/,
    );
  });

  it('reads nodes at any address, sharing a port on different hosts', () => {
    const spread = (group: 'a' | 'b', subnet: number) =>
      [1, 2, 3, 4, 5, 6].map((n) => ({
        name: `${group}${n}`,
        host: `172.${subnet}.0.${n + 1}`,
        port: 6379,
        containerName: `seed-${group}${n}`,
      }));
    const { targets } = parseTargetsFile(JSON.stringify({ targets: [{ ...staging, groups: { A: spread('a', 18), B: spread('b', 19) } }] }));
    expect(targets[0]!.groups.B[5]).toEqual({ name: 'b6', host: '172.19.0.7', port: 6379, containerName: 'seed-b6', group: 'B' });
  });

  it('gives each node its group’s engine unless it names its own', () => {
    const engines = {
      east: { socket: '/var/run/docker.sock' },
      west: { url: 'tcp://127.0.0.1:2376', ca: '/tls/ca.pem', cert: '/tls/cert.pem', key: '/tls/key.pem' },
    };
    const A = staging.groups.A.map((node, index) => (index === 5 ? { ...node, engine: 'east' } : node));
    const { targets } = parseTargetsFile(
      JSON.stringify({ targets: [{ ...staging, engines, groupEngines: { A: 'west' }, groups: { A, B: staging.groups.B } }] }),
    );
    expect(targets[0]!.engines).toEqual({
      east: { socketPath: '/var/run/docker.sock' },
      west: { host: '127.0.0.1', port: 2376, ca: '/tls/ca.pem', cert: '/tls/cert.pem', key: '/tls/key.pem' },
    });
    expect(targets[0]!.groups.A.map((node) => node.engine)).toEqual(['west', 'west', 'west', 'west', 'west', 'east']);
    expect(targets[0]!.groups.B.every((node) => node.engine === undefined)).toBe(true);
  });

  it.each([
    ['not JSON', '{"targets": [', /^is not valid JSON/],
    ['no targets', '{"targets": []}', /^targets must be a non-empty array$/],
    [
      'an unknown top-level key',
      JSON.stringify({ targets: [staging], defaults: 'x' }),
      /^defaults is not a known key; expected targets, default$/,
    ],
    [
      'an unknown default',
      JSON.stringify({ targets: [staging], default: 'prod' }),
      /^default must name one of the targets \(staging\), got "prod"$/,
    ],
    [
      'a bad port',
      withChange((copy) => ((copy.groups.A[2] as { port: unknown }).port = 'x')),
      /^targets\[0\]\.groups\.A\[2\]\.port must be an integer/,
    ],
    [
      'a bad container name',
      withChange((copy) => (copy.groups.B[0]!.containerName = 'no spaces')),
      /^targets\[0\]\.groups\.B\[0\]\.containerName must be a Docker container name/,
    ],
    [
      'a relative config path',
      withChange((copy) => (copy.clusterConfigFile = 'nodes.conf')),
      /^targets\[0\]\.clusterConfigFile must be an absolute path/,
    ],
    [
      'a missing label',
      withChange((copy) => delete (copy as Record<string, unknown>).containerLabel),
      /^targets\[0\]\.containerLabel must be an object$/,
    ],
    [
      'an unknown node key',
      withChange((copy) => ((copy.groups.A[0] as Record<string, unknown>).role = 'master')),
      /^targets\[0\]\.groups\.A\[0\]\.role is not a known key/,
    ],
    [
      'an odd group A',
      withChange((copy) => copy.groups.A.pop()),
      /^targets\[0\]: target staging: group A must list each shard's master and one replica/,
    ],
    [
      'a host that is no host name',
      withChange((copy) => ((copy.groups.A[0] as Record<string, unknown>).host = 'a b')),
      /^targets\[0\]\.groups\.A\[0\]\.host must be a host name or address, got "a b"$/,
    ],
    [
      'an engine the target does not list',
      withChange((copy) => ((copy.groups.A[0] as Record<string, unknown>).engine = 'west')),
      /^targets\[0\]\.groups\.A\[0\]\.engine names the engine "west", which targets\[0\]\.engines does not list$/,
    ],
    [
      'a TCP engine without its client certificate',
      withChange((copy) =>
        Object.assign(copy, { engines: { west: { url: 'tcp://10.0.0.2:2376', ca: '/tls/ca.pem', cert: '/tls/cert.pem' } } }),
      ),
      /^targets\[0\]\.engines\.west\.key must be the absolute path of a file, got undefined$/,
    ],
    [
      'an engine url that is not tcp://host:port',
      withChange((copy) => Object.assign(copy, { engines: { west: { url: 'http://10.0.0.2', ca: '/a', cert: '/b', key: '/c' } } })),
      /^targets\[0\]\.engines\.west must give either socket \(a path\) or url \(tcp:\/\/host:port\), got "http:\/\/10\.0\.0\.2"$/,
    ],
    [
      'one container twice on one engine',
      withChange((copy) =>
        Object.assign(copy, {
          engines: { west: { socket: '/run/west.sock' } },
          groupEngines: { A: 'west', B: 'west' },
          groups: {
            A: copy.groups.A,
            B: copy.groups.B.map((node, index) => ({ ...node, containerName: copy.groups.A[index]!.containerName })),
          },
        }),
      ),
      /^targets\[0\]\.groups\.B\[0\]\.containerName: container staging-a1 on unix:\/\/\/run\/west\.sock appears twice/,
    ],
    ['a port used twice', withChange((copy) => (copy.groups.B[0]!.port = 7101)), /address 127\.0\.0\.1:7101 appears twice/],
    [
      'one node as localhost and as 127.0.0.1',
      withChange((copy) => Object.assign(copy.groups.B[0] as Record<string, unknown>, { host: 'localhost', port: 7101 })),
      /^targets\[0\]\.groups\.B\[0\]\.port: address 127\.0\.0\.1:7101 appears twice \(also at targets\[0\]\.groups\.A\[0\]\.port\)$/,
    ],
    ['a name used twice', JSON.stringify({ targets: [staging, staging] }), /^targets\[1\]\.name "staging" is used by targets\[0\] too$/],
  ])('refuses %s, naming the key', (_, text, message) => {
    expect(() => parseTargetsFile(text)).toThrow(message);
  });

  it('refuses a target on a node or container of a target configured elsewhere, such as the lab', () => {
    const lab = parseTargetsFile(JSON.stringify({ targets: [{ ...staging, name: 'lab' }] })).targets[0]!;
    const onLabPorts = JSON.stringify({
      targets: [
        {
          ...staging,
          groups: { A: nodes('a', 7100).map((node) => ({ ...node, containerName: `other-${node.name}` })), B: nodes('b', 7210) },
        },
      ],
    });
    expect(() => parseTargetsFile(onLabPorts, [lab])).toThrow(
      /^targets\[0\]\.groups\.A\[0\]\.port: address 127\.0\.0\.1:7101 appears twice \(also at the lab target\.groups\.A\[0\]\.port\)$/,
    );
    expect(() => parseTargetsFile(JSON.stringify({ targets: [staging] }), [])).not.toThrow();
  });
});

describe('parseTargetsFile: auth and tls', () => {
  const tls = { caFile: '/etc/drill/ca.crt', certFile: '/etc/drill/client.crt', keyFile: '/etc/drill/client.key' };

  it('reads a user with a password from the environment or a file, and the TLS files', () => {
    const fromEnv = parseTargetsFile(withChange((copy) => Object.assign(copy, { auth: { username: 'drill', passwordEnv: 'PW' }, tls })));
    expect(fromEnv.targets[0]).toMatchObject({ auth: { username: 'drill', passwordEnv: 'PW' }, tls });
    const fromFile = parseTargetsFile(withChange((copy) => Object.assign(copy, { auth: { passwordFile: '/run/secrets/redis' } })));
    expect(fromFile.targets[0]!.auth).toEqual({ passwordFile: '/run/secrets/redis' });
    expect(fromFile.targets[0]!.tls).toBeUndefined();
  });

  it.each([
    [
      'a password written in the file',
      { auth: { username: 'drill', password: 'hunter2-secret' } },
      /^targets\[0\]\.auth\.password: a password may not be written in the targets file; name the environment variable \(passwordEnv\) or the file \(passwordFile\) that holds it$/,
    ],
    ['neither source', { auth: { username: 'drill' } }, /^targets\[0\]\.auth must name exactly one of passwordEnv and passwordFile$/],
    [
      'both sources',
      { auth: { passwordEnv: 'PW', passwordFile: '/run/pw' } },
      /^targets\[0\]\.auth must name exactly one of passwordEnv and passwordFile$/,
    ],
    [
      'a secret where the variable name belongs',
      { auth: { passwordEnv: 'hunter2-secret!' } },
      /^targets\[0\]\.auth\.passwordEnv must be an environment variable name \(the value is not shown, in case it is a secret\)$/,
    ],
    [
      'a relative TLS path',
      { tls: { ...tls, keyFile: 'client.key' } },
      /^targets\[0\]\.tls\.keyFile must be an absolute path, got "client\.key"$/,
    ],
    ['a TLS file missing', { tls: { caFile: tls.caFile, certFile: tls.certFile } }, /^targets\[0\]\.tls\.keyFile must be an absolute path/],
    [
      'an unknown TLS key',
      { tls: { ...tls, insecure: true } },
      /^targets\[0\]\.tls\.insecure is not a known key; expected caFile, certFile, keyFile$/,
    ],
  ])('refuses %s, naming the key and never the secret', (_, change, message) => {
    const text = withChange((copy) => Object.assign(copy, change));
    expect(() => parseTargetsFile(text)).toThrow(message);
    try {
      parseTargetsFile(text);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
