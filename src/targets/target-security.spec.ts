import { describe, expect, it } from 'vitest';
import { labTarget } from '../lab/lab-topology.js';
import type { DrillTarget } from './drill-target.js';
import { TargetRegistry } from './target-registry.js';
import { resolveTargetSecurity, TargetSecurityError, type SecretSource } from './target-security.js';

const PEM = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
const files: Record<string, string> = {
  '/run/secrets/pw': 'from-file-secret\n',
  '/tls/ca.crt': PEM('CERTIFICATE'),
  '/tls/client.crt': PEM('CERTIFICATE'),
  '/tls/client.key': PEM('PRIVATE KEY'),
  '/tls/empty': '',
};
const source: SecretSource = {
  env: { PW: 'from-env-secret', EMPTY: '' },
  readFile: (path) => {
    if (files[path] === undefined) {
      throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    }
    return files[path];
  },
};
const lab = labTarget({ name: 'unit', basePort: 7000 }, 'staging');
const target = (change: Partial<DrillTarget>): DrillTarget => ({ ...lab, ...change });
const tls = { caFile: '/tls/ca.crt', certFile: '/tls/client.crt', keyFile: '/tls/client.key' };

describe('resolveTargetSecurity', () => {
  it('reads the password from the environment or from a file without its last newline, and the PEM files', () => {
    expect(resolveTargetSecurity(target({ auth: { username: 'drill', passwordEnv: 'PW' }, tls }), source)).toEqual({
      credentials: { username: 'drill', password: 'from-env-secret' },
      tls: { ca: files['/tls/ca.crt'], cert: files['/tls/client.crt'], key: files['/tls/client.key'] },
    });
    expect(resolveTargetSecurity(target({ auth: { passwordFile: '/run/secrets/pw' } }), source)).toEqual({
      credentials: { password: 'from-file-secret' },
    });
    expect(resolveTargetSecurity(lab, source)).toEqual({});
  });

  it.each([
    [{ auth: { passwordEnv: 'MISSING' } }, 'target staging: auth.passwordEnv names MISSING, which is not set or empty'],
    [{ auth: { passwordEnv: 'EMPTY' } }, 'target staging: auth.passwordEnv names EMPTY, which is not set or empty'],
    [
      { auth: { passwordFile: '/run/secrets/none' } },
      "target staging: auth.passwordFile /run/secrets/none cannot be read: ENOENT: no such file or directory, open '/run/secrets/none'",
    ],
    [{ auth: { passwordFile: '/tls/empty' } }, 'target staging: auth.passwordFile /tls/empty is empty'],
    [
      { tls: { ...tls, caFile: '/tls/none.crt' } },
      "target staging: tls.caFile /tls/none.crt cannot be read: ENOENT: no such file or directory, open '/tls/none.crt'",
    ],
    [{ tls: { ...tls, certFile: '/tls/client.key' } }, 'target staging: tls.certFile /tls/client.key holds no PEM CERTIFICATE'],
    [{ tls: { ...tls, keyFile: '/run/secrets/pw' } }, 'target staging: tls.keyFile /run/secrets/pw holds no PEM PRIVATE KEY'],
  ] as const)('refuses %j, naming the target, the key and the cause', (change, message) => {
    expect(() => resolveTargetSecurity(target(change as Partial<DrillTarget>), source)).toThrow(new TargetSecurityError(message));
  });

  it('gives the registry each node the security of its target, and nothing to a node of no target', () => {
    const registry = new TargetRegistry([target({ auth: { username: 'drill', passwordEnv: 'PW' } })], 'staging', source);
    const [a1] = lab.groups.A;
    expect(registry.securityAt(a1!)).toEqual({ credentials: { username: 'drill', password: 'from-env-secret' } });
    expect(registry.securityAt({ host: '127.0.0.1', port: 1 })).toBeUndefined();
    expect(registry.security('staging').credentials?.username).toBe('drill');
  });
});
