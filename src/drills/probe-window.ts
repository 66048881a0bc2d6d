import { errorMessage } from '../common/app-error.js';
import type { ProbeReport } from '../probe/probe-report.js';
import type { DrillTarget } from '../targets/drill-target.js';
import type { DrillEvent } from './drill-events.js';
import type { DrillState } from './drill-state.js';

/** A probe as the runner drives it. */
export interface RunningProbe {
  /**
   * Starts writing; settles once the client writes to every shard, or gives up waiting for it,
   * with the slots whose shard had not acknowledged a write by then.
   */
  start(): Promise<readonly number[]>;
  stop(): Promise<ProbeReport>;
  /** The longest stretch so far without a successful write on some shard, counting one under way. */
  outageMs(): number;
  /** Writes so far that failed or got no answer in time. */
  failedWrites(): number;
  /** Stops writing at once, reading nothing back. */
  discard(): void;
}

/** Makes the probe for a drill: the target's nodes, one slot per shard, a run id for its keys. */
export type ProbeFactory = (target: DrillTarget, slots: readonly number[], runId: string, writesPerSecond: number) => RunningProbe;

export const DEFAULT_PROBE_RATE = 150;

/**
 * The live probe's part of one run: it starts once `prepare` has succeeded and ends with the
 * drill, whichever way the drill ends, with its report on record. When a worker stops in the
 * middle, the probe dies with it and the worker that resumes the drill records it as lost.
 */
export class ProbeWindow {
  private probe: RunningProbe | undefined;

  constructor(private readonly factory: ProbeFactory | undefined) {}

  /** Starts the probe after `prepare`, when the drill asks for one, and waits for its client to write; the events to record. */
  async start(state: DrillState, target: DrillTarget): Promise<DrillEvent[]> {
    if (!this.factory || state.options.probe === false || state.probe) {
      return [];
    }
    const slots = state.topology
      .filter((node) => node.group === state.direction?.from && node.slots)
      .map((node) => Number(node.slots!.split(/[- ]/)[0]))
      .sort((left, right) => left - right);
    const writesPerSecond = state.options.probeWritesPerSecond ?? DEFAULT_PROBE_RATE;
    this.probe = this.factory(target, slots, state.id.slice(0, 8), writesPerSecond);
    const unwritten = await this.probe.start();
    return [
      { type: 'ProbeStarted', data: { writesPerSecond, slots, ...(unwritten.length > 0 ? { unwrittenSlots: [...unwritten] } : {}) } },
    ];
  }

  /** At the drill's end: the report, or the loss of a probe that ran in another worker. */
  async close(state: DrillState): Promise<DrillEvent[]> {
    if (this.probe) {
      const probe = this.probe;
      this.probe = undefined;
      try {
        return [{ type: 'ProbeReported', data: await probe.stop() }];
      } catch (error) {
        return [{ type: 'ProbeLost', data: { reason: `reading the probe's writes back failed: ${errorMessage(error)}` } }];
      }
    }
    return state.probe?.state === 'running'
      ? [{ type: 'ProbeLost', data: { reason: 'the worker that ran the probe stopped before the drill ended' } }]
      : [];
  }

  /** What the running probe has seen so far; undefined without one. */
  outageMs(): number | undefined {
    return this.probe?.outageMs();
  }

  /** Writes the running probe saw fail so far; undefined without one. */
  failedWrites(): number | undefined {
    return this.probe?.failedWrites();
  }

  /** The run stops without finishing the drill: the probe's figures cannot be completed. */
  discard(): void {
    this.probe?.discard();
    this.probe = undefined;
  }
}
