import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildImageFromDebian, type DebianServerPackage } from './debian-image.js';
import { followProgress, isNotFound, type Docker } from './docker-engine.js';
import { buildImageFromHostBinaries } from './host-binary-image.js';

const run = promisify(execFile);

export interface RedisImageSettings {
  /** The image asked for, e.g. the official `redis:7.0`. */
  readonly image: string;
  /** How long a pull may take before the registry counts as unreachable. */
  readonly pullTimeoutMs: number;
  /**
   * What to build when the image cannot be pulled: this Debian package, from this mirror, tagged
   * `tag`. Without it, the image is built from this host's own Redis.
   */
  readonly fromDebian?: { readonly server: DebianServerPackage; readonly tag: string; readonly mirror: string };
}

export type ImageSource = 'present' | 'pulled' | 'built-from-host' | 'built-from-debian';

/**
 * Makes sure a Redis image is there and says which one to use: the configured image if it is
 * present or can be pulled; otherwise one built from Debian's package of the server, or from this
 * host's own `redis-server` and the libraries it links, so that a machine without a registry can
 * still run the lab. A built image is kept under its tag and used again from then on.
 */
export async function ensureRedisImage(
  docker: Docker,
  settings: RedisImageSettings,
  log: (line: string) => void = () => undefined,
): Promise<{ image: string; source: ImageSource }> {
  if (await imageExists(docker, settings.image)) {
    return { image: settings.image, source: 'present' };
  }
  if (settings.fromDebian) {
    return ensureDebianFallback(docker, settings, settings.fromDebian, log);
  }
  const host = await hostRedis();
  const localTag = host ? `redis-drill/redis:${host.version}-host` : undefined;
  // An image built here before is used as it is: on a machine without a registry, trying the pull
  // again would cost the pull timeout on every lab command.
  if (localTag && (await imageExists(docker, localTag))) {
    return { image: localTag, source: 'present' };
  }
  try {
    log(`pulling ${settings.image} (up to ${settings.pullTimeoutMs} ms)`);
    await pullImage(docker, settings.image, settings.pullTimeoutMs);
    return { image: settings.image, source: 'pulled' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!host || !localTag) {
      throw new Error(
        `cannot pull ${settings.image} (${reason}), and Redis is not installed on this host to build an image from; ` +
          'install it (Debian: apt-get install -y redis-tools) or set REDIS_IMAGE to an image that is present',
      );
    }
    log(`cannot pull ${settings.image} (${reason}); building ${localTag} from ${host.binary}`);
  }
  await buildImageFromHost(docker, host.binary, localTag);
  return { image: localTag, source: 'built-from-host' };
}

async function ensureDebianFallback(
  docker: Docker,
  settings: RedisImageSettings,
  debian: NonNullable<RedisImageSettings['fromDebian']>,
  log: (line: string) => void,
): Promise<{ image: string; source: ImageSource }> {
  // Used as it is once built, for the same reason as the host's image below.
  if (await imageExists(docker, debian.tag)) {
    return { image: debian.tag, source: 'present' };
  }
  try {
    log(`pulling ${settings.image} (up to ${settings.pullTimeoutMs} ms)`);
    await pullImage(docker, settings.image, settings.pullTimeoutMs);
    return { image: settings.image, source: 'pulled' };
  } catch (error) {
    log(`cannot pull ${settings.image} (${error instanceof Error ? error.message : String(error)}); building ${debian.tag} instead`);
  }
  await buildImageFromDebian(docker, debian.server, debian.tag, debian.mirror, log);
  if (!(await imageExists(docker, debian.tag))) {
    throw new Error(`building ${debian.tag} reported success but the image is not there`);
  }
  return { image: debian.tag, source: 'built-from-debian' };
}

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) {
      return false;
    }
    throw error;
  }
}

async function pullImage(docker: Docker, name: string, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const stream = await docker.pull(name, { abortSignal: abort.signal });
    await followProgress(docker, stream);
  } catch (error) {
    throw abort.signal.aborted ? new Error(`no answer from the registry within ${timeoutMs} ms`) : error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The host's Redis server binary and its version, or undefined when Redis is not installed here.
 * Debian's redis-tools package ships it as redis-check-rdb, which runs as the server when started
 * under the name redis-server; the redis-server package only adds that name and a system service,
 * which the lab does not need.
 */
async function hostRedis(): Promise<{ binary: string; version: string } | undefined> {
  const binary = await firstOnPath(['redis-server', 'redis-check-rdb']);
  const cli = await firstOnPath(['redis-cli']);
  if (!binary || !cli) {
    return undefined;
  }
  const { stdout } = await run(cli, ['--version']);
  const version = /(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
  return { binary, version };
}

async function firstOnPath(names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    try {
      return (await run('sh', ['-c', `command -v ${name}`])).stdout.trim();
    } catch {
      // not installed under this name
    }
  }
  return undefined;
}

/** The host's redis-server and redis-cli: the one Redis binary picks its role from the name it is started under. */
async function buildImageFromHost(docker: Docker, serverBinary: string, tag: string): Promise<void> {
  await buildImageFromHostBinaries(
    docker,
    [
      { path: serverBinary, name: 'redis-server' },
      { path: join(dirname(serverBinary), 'redis-cli'), name: 'redis-cli' },
    ],
    tag,
    'redis-server',
  );
  if (!(await imageExists(docker, tag))) {
    throw new Error(`building ${tag} reported success but the image is not there`);
  }
}
