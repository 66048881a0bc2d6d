import type { DrillStep } from './step-context.js';
import { nodeNames, type StepDefinition } from './step-definition.js';

/**
 * Backup and restore: every key of the serving cluster copied into the standby cluster with
 * `DUMP` and `RESTORE … REPLACE`, expiry times kept, master by master. What is written after the
 * copy stays behind in the serving cluster: it is what this kind of failover loses.
 */
const run: DrillStep = async (context) => {
  const { layout } = context;
  const started = context.clock.now();
  const { keys, bytes } = await context.keyspace.copyAll(layout.servingMasters, [...layout.standbys, ...layout.spares]);
  const tookMs = Math.max(context.clock.now() - started, 0.01);
  return [
    {
      type: 'DataCopied',
      data: {
        keys,
        bytes,
        tookMs: Math.round(tookMs * 100) / 100,
        keysPerSecond: Math.round((keys * 1000) / tookMs),
        bytesPerSecond: Math.round((bytes * 1000) / tookMs),
      },
    },
  ];
};

export const copy: StepDefinition<'copy'> = {
  name: 'copy',
  run,
  plan: ({ layout }) => [
    {
      action: 'copy every key, with its expiry, into the standby cluster',
      command: 'SCAN, DUMP, PTTL',
      nodes: nodeNames(layout.servingMasters),
    },
    {
      action: 'write the copies on the standby cluster',
      command: 'RESTORE <key> <ttl> <dump> REPLACE',
      nodes: nodeNames([...layout.standbys, ...layout.spares]),
    },
  ],
};
