import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { followProgress, type Docker } from './docker-engine.js';

const run = promisify(execFile);

/** A binary of this host, and the name it gets in the image's `/usr/local/bin`. */
export interface HostBinary {
  readonly path: string;
  readonly name: string;
}

/**
 * `FROM scratch` with host binaries, their shared libraries (from `ldd`) and the dynamic loader at
 * the paths they were linked against, an empty `/data` as working directory and a `/tmp`: an image
 * for a machine that reaches no registry, built in about a second. The caller checks it is there.
 */
export async function buildImageFromHostBinaries(
  docker: Docker,
  binaries: readonly HostBinary[],
  tag: string,
  command: string,
): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'redis-drill-image-'));
  try {
    const rootfs = join(context, 'rootfs');
    await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
    await mkdir(join(rootfs, 'data'), { recursive: true });
    await mkdir(join(rootfs, 'tmp'), { recursive: true });
    await chmod(join(rootfs, 'tmp'), 0o1777);
    const libraries = new Set<string>();
    for (const { path: binary, name } of binaries) {
      await copyFile(await realpath(binary), join(rootfs, 'usr/local/bin', name));
      const { stdout } = await run('ldd', [binary]);
      for (const match of stdout.matchAll(/(\/\S+) \(0x/g)) {
        libraries.add(match[1]!);
      }
    }
    for (const library of libraries) {
      await mkdir(join(rootfs, dirname(library)), { recursive: true });
      await copyFile(await realpath(library), join(rootfs, library));
    }
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        'WORKDIR /data',
        `CMD ${JSON.stringify([command])}`,
        '',
      ].join('\n'),
    );
    const tar = spawn('tar', ['-C', context, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await docker.buildImage(tar.stdout, { t: tag, rm: true, forcerm: true });
    await followProgress(docker, stream);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
