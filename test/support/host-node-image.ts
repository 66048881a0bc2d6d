import type { Docker } from '../../src/docker/docker-engine.js';
import { buildImageFromHostBinaries } from '../../src/docker/host-binary-image.js';
import { imageExists } from '../../src/docker/redis-image.js';

/**
 * An image with the Node that runs the tests, and nothing else, for a service instance in a
 * container that uses this checkout's `node_modules` as they are: better-sqlite3 is compiled for
 * this Node, and no registry is needed. Built once per Node version, in about a second.
 */
export async function ensureHostNodeImage(docker: Docker): Promise<string> {
  const tag = `redis-drill/node:${process.versions.node}-host`;
  if (!(await imageExists(docker, tag))) {
    await buildImageFromHostBinaries(docker, [{ path: process.execPath, name: 'node' }], tag, 'node');
    if (!(await imageExists(docker, tag))) {
      throw new Error(`building ${tag} reported success but the image is not there`);
    }
  }
  return tag;
}
