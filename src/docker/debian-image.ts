import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { followProgress, type Docker } from './docker-engine.js';

const run = promisify(execFile);

/** A server as Debian packages it: the release that carries the wanted version, and the package. */
export interface DebianServerPackage {
  readonly suite: string;
  readonly package: string;
  /** The server binary the package installs; the lab starts it as `redis-server`, whatever it is called. */
  readonly serverBinary: string;
  readonly cliBinary: string;
}

/** An image made of a Debian release's packages and a few files of the image's own. */
export interface DebianImage {
  readonly suite: string;
  readonly packages: readonly string[];
  /** Writes the image's own files into its root filesystem, once the packages are installed there. */
  readonly complete: (rootfs: string) => Promise<void>;
  /** Dockerfile instructions `docker import` applies: ENV, WORKDIR, ENTRYPOINT, CMD. */
  readonly changes: readonly string[];
}

/** What an image needs no more once built: downloaded packages, package lists, manuals. */
const NOT_NEEDED = ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale'];

/**
 * Builds an image from Debian's own package of a server, for a machine that reaches a Debian mirror
 * and no image registry. The server is linked as `redis-server` and its client as `redis-cli`,
 * whatever the package calls them, so that the lab starts every server the same way.
 */
export function buildImageFromDebian(
  docker: Docker,
  server: DebianServerPackage,
  tag: string,
  mirror: string,
  log: (line: string) => void,
): Promise<void> {
  return buildDebianImage(
    docker,
    {
      suite: server.suite,
      packages: [server.package],
      complete: async (rootfs) => {
        await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
        await mkdir(join(rootfs, 'data'), { recursive: true });
        await symlink(server.serverBinary, join(rootfs, 'usr/local/bin/redis-server'));
        await symlink(server.cliBinary, join(rootfs, 'usr/local/bin/redis-cli'));
      },
      changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'WORKDIR /data', 'CMD ["redis-server"]'],
    },
    tag,
    mirror,
    log,
  );
}

/**
 * Builds `image` without a registry: a minimal root filesystem (`debootstrap --variant=minbase`)
 * with its packages, imported as one layer under `tag`. Needs root (debootstrap does) and takes a
 * minute or two.
 */
export async function buildDebianImage(
  docker: Docker,
  image: DebianImage,
  tag: string,
  mirror: string,
  log: (line: string) => void,
): Promise<void> {
  const packages = image.packages.join(',');
  if (process.getuid?.() !== 0) {
    throw new Error(`building ${tag} from Debian's ${packages} needs root (debootstrap); run this as root once, or pull the image`);
  }
  const context = await mkdtemp(join(tmpdir(), 'redis-drill-debian-'));
  try {
    const rootfs = join(context, 'rootfs');
    log(`building ${tag}: debootstrap ${image.suite} with ${packages} from ${mirror}`);
    try {
      await run('debootstrap', ['--variant=minbase', `--include=${packages}`, image.suite, rootfs, mirror], {
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      const tail = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
      throw new Error(`debootstrap of ${image.suite} with ${packages} failed (is debootstrap installed?): ${tail}`, {
        cause: error,
      });
    }
    await Promise.all(NOT_NEEDED.map((path) => rm(join(rootfs, path), { recursive: true, force: true })));
    await image.complete(rootfs);

    const [repo, version] = splitTag(tag);
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await docker.importImage(tar.stdout, { repo, tag: version, changes: [...image.changes] });
    await followProgress(docker, stream);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

function splitTag(tag: string): [string, string] {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest'];
}
