import { readFileSync } from 'node:fs';
import type { RedisSecurity } from '../cluster/redis-security.js';
import type { DrillTarget } from './drill-target.js';

/** Where secrets are read from: the environment and files. */
export interface SecretSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
}

export const PROCESS_SECRETS: SecretSource = { env: process.env, readFile: (path) => readFileSync(path, 'utf8') };

/** A target whose password or certificates cannot be read; the message names the target, the key and the cause, never a secret. */
export class TargetSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetSecurityError';
  }
}

/** Reads the password and TLS files a target names, once; throws what is missing. */
export function resolveTargetSecurity(target: DrillTarget, source: SecretSource): RedisSecurity {
  const read = (key: string, path: string): string => {
    try {
      return source.readFile(path);
    } catch (error) {
      throw new TargetSecurityError(`target ${target.name}: ${key} ${path} cannot be read: ${(error as Error).message}`);
    }
  };
  const security: { credentials?: RedisSecurity['credentials']; tls?: RedisSecurity['tls'] } = {};
  if (target.auth) {
    const { username, passwordEnv, passwordFile } = target.auth;
    let password: string | undefined;
    if (passwordEnv !== undefined) {
      password = source.env[passwordEnv];
      if (!password) {
        throw new TargetSecurityError(`target ${target.name}: auth.passwordEnv names ${passwordEnv}, which is not set or empty`);
      }
    } else if (passwordFile !== undefined) {
      // A file written by `echo` ends in a newline that is not part of the password.
      password = read('auth.passwordFile', passwordFile).replace(/\r?\n$/, '');
      if (!password) {
        throw new TargetSecurityError(`target ${target.name}: auth.passwordFile ${passwordFile} is empty`);
      }
    }
    security.credentials = { ...(username !== undefined ? { username } : {}), password: password! };
  }
  if (target.tls) {
    const pem = (key: string, path: string, label: string): string => {
      const contents = read(key, path);
      if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(contents)) {
        throw new TargetSecurityError(`target ${target.name}: ${key} ${path} holds no PEM ${label}`);
      }
      return contents;
    };
    security.tls = {
      ca: pem('tls.caFile', target.tls.caFile, 'CERTIFICATE'),
      cert: pem('tls.certFile', target.tls.certFile, 'CERTIFICATE'),
      key: pem('tls.keyFile', target.tls.keyFile, 'PRIVATE KEY'),
    };
  }
  return security;
}
