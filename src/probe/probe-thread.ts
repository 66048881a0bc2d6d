import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../common/app-error.js';
import type { ProbeWrite } from './probe-report.js';
import { ProbeWriter, type ProbeReadBack, type ProbeWriterSetup } from './probe-writer.js';

/** What the drill's process tells the probe's thread. */
export type ToProbeThread = { readonly kind: 'stop' } | { readonly kind: 'discard' };

/** What the probe's thread tells the drill's process: each write as it ends, then the read-back. */
export type FromProbeThread =
  | { readonly kind: 'write'; readonly slot: number; readonly write: ProbeWrite }
  | { readonly kind: 'stopped'; readonly readBack: ProbeReadBack }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The probe's thread: a `ProbeWriter` on an event loop of its own, so that nothing the drill's
 * process does (a synchronous SQLite write, parsing `CLUSTER NODES`, a garbage collection) holds
 * the probe's client back and counts as outage.
 */
const port = parentPort!;
const tell = (message: FromProbeThread) => port.postMessage(message);
const writer = new ProbeWriter(workerData as ProbeWriterSetup, (slot, write) => tell({ kind: 'write', slot, write }));

port.on('message', (message: ToProbeThread) => {
  if (message.kind === 'discard') {
    writer.discard();
    port.close();
    return;
  }
  writer.stop().then(
    (readBack) => tell({ kind: 'stopped', readBack }),
    (error: unknown) => tell({ kind: 'failed', message: errorMessage(error) }),
  );
});
writer.start();
