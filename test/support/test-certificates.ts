import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** Holds ca.crt, node.crt and node.key: what `LabSecurity.tlsDirectory` wants. */
  readonly directory: string;
  readonly caFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed nothing here: a client trusting it refuses the nodes. */
  readonly otherCaFile: string;
  remove(): void;
}

/**
 * A CA of its own, made with `openssl` in a temporary directory, and two certificates it signs:
 * the nodes' (for 127.0.0.1 and localhost, server and client of the cluster bus and replication)
 * and the service's client certificate.
 */
export function makeTestCertificates(): TestCertificates {
  const directory = mkdtempSync(join(tmpdir(), 'auth-tls-certs-'));
  const at = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', ...key, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=redis-drill test ${ca}`);
  }
  writeFileSync(at('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['node', 'client']) {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=redis-drill test ${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      'san.cnf',
    );
  }
  // The nodes' Redis may run as another user than this test: it must be able to read its files.
  chmodSync(directory, 0o755);
  for (const file of ['ca.crt', 'node.crt', 'node.key']) {
    chmodSync(at(file), 0o644);
  }
  return {
    directory,
    caFile: at('ca.crt'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    otherCaFile: at('other-ca.crt'),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
