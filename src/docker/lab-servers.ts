import type { DebianServerPackage } from './debian-image.js';
import type { RedisImageSettings } from './redis-image.js';

/** The servers the lab can run, by the name `npm run lab -- up --server` takes. */
export const LAB_SERVERS = ['redis-7.0', 'redis-8.0', 'valkey-8.1'] as const;
export type LabServer = (typeof LAB_SERVERS)[number];

export interface LabServerImage {
  /** The official image, pulled where a registry answers. */
  readonly official: string;
  /** What the lab builds instead when none answers, tagged `local`. */
  readonly debian: DebianServerPackage;
  readonly local: string;
}

/** Redis 7.0 is Debian 12's (bookworm), Redis 8.0 and Valkey 8.1 are Debian 13's (trixie). */
export const LAB_SERVER_IMAGES: Readonly<Record<LabServer, LabServerImage>> = {
  'redis-7.0': {
    official: 'redis:7.0',
    debian: { suite: 'bookworm', package: 'redis-server', serverBinary: '/usr/bin/redis-server', cliBinary: '/usr/bin/redis-cli' },
    local: 'redis-drill/redis:7.0-bookworm',
  },
  'redis-8.0': {
    official: 'redis:8.0',
    debian: { suite: 'trixie', package: 'redis-server', serverBinary: '/usr/bin/redis-server', cliBinary: '/usr/bin/redis-cli' },
    local: 'redis-drill/redis:8.0-trixie',
  },
  'valkey-8.1': {
    official: 'valkey/valkey:8.1',
    debian: { suite: 'trixie', package: 'valkey-server', serverBinary: '/usr/bin/valkey-server', cliBinary: '/usr/bin/valkey-cli' },
    local: 'redis-drill/valkey:8.1-trixie',
  },
};

export function isLabServer(name: string): name is LabServer {
  return (LAB_SERVERS as readonly string[]).includes(name);
}

/** The image settings that run `server`: its official image where a registry answers, else Debian's package. */
export function labServerImageSettings(server: LabServer, pullTimeoutMs: number, debianMirror: string): RedisImageSettings {
  const { official, debian, local } = LAB_SERVER_IMAGES[server];
  return { image: official, pullTimeoutMs, fromDebian: { server: debian, tag: local, mirror: debianMirror } };
}
