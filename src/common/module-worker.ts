import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` beside the module at `beside` (its `import.meta.url`),
 * with `workerData`. The built service runs `name.js` as it is. Run from the TypeScript sources
 * (the tests, the benchmarks) the sibling is `name.ts`, which a worker thread cannot load by
 * itself: a one-line bootstrap loads it through tsx, a development dependency the built service
 * never needs.
 */
export function moduleWorker(beside: string, name: string, workerData: unknown): Worker {
  const extension = extname(fileURLToPath(beside));
  const script = new URL(`./${name}${extension}`, beside);
  if (extension === '.js') {
    return new Worker(script, { workerData });
  }
  // A data: module cannot resolve a bare name: tsx's module is given by its full address.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { tsImport } from ${JSON.stringify(tsx)}; await tsImport(${JSON.stringify(script.href)}, ${JSON.stringify(beside)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}
