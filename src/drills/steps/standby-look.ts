import type { ClusterAdmin } from '../../cluster/cluster-admin.js';
import { acceptsConnections } from '../../cluster/port-probe.js';
import type { TakeoverLook } from '../../cluster/takeover-look.js';
import type { TargetNode } from '../../targets/drill-target.js';

/** The standbys as the takeover needs to see them before its commands. */
export interface StandbysSeen {
  /** Those whose port refuses connections: their process is gone, as after a kill or a crash. */
  readonly down: readonly TargetNode[];
  /** Each standby's look (see `takeoverRefusal`), in the order of the layout's standbys. */
  readonly looks: readonly PromiseSettledResult<TakeoverLook>[];
}

/**
 * Every standby's port and its look before the takeover at once: one round trip for both. A look
 * at a dead standby fails; the port tells that apart from a live one that did not answer.
 */
export async function seeStandbys(standbys: readonly TargetNode[], admin: ClusterAdmin): Promise<StandbysSeen> {
  const [accepting, looks] = await Promise.all([
    Promise.all(standbys.map((node) => acceptsConnections(node))),
    Promise.allSettled(standbys.map((node) => admin.takeoverLook(node))),
  ]);
  return { down: standbys.filter((_, index) => !accepting[index]), looks };
}

/**
 * The takeover's look at the standbys, started by `kill` as its signals go out, so that it runs
 * while the engine answers the kills and the kill is recorded, instead of after both. It only
 * reads: the takeover's commands still go out after the kill is on record. Held in memory by one
 * run, and taken once: a resumed or retried takeover looks afresh.
 */
export class StandbyLookAhead {
  private pending: Promise<StandbysSeen> | undefined;

  start(seeing: Promise<StandbysSeen>): void {
    // Left untaken when the drill stops before its takeover; its failure is the next look's to find.
    seeing.catch(() => undefined);
    this.pending = seeing;
  }

  /** The look started for this takeover, once; undefined when none was. */
  take(): Promise<StandbysSeen> | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}
