import { AppError } from '../common/app-error.js';
import type { TargetNode } from '../targets/drill-target.js';

export interface ContainerState {
  readonly exists: boolean;
  readonly running: boolean;
  /** Whether it carries its target's label; nothing acts on a container that does not. */
  readonly labelled: boolean;
}

/** Kills, starts and looks at the containers of one target's nodes, and at nothing else. */
export interface NodeControl {
  /** SIGKILL. Answers `alreadyStopped` instead of failing when the container was not running. */
  kill(node: TargetNode): Promise<KillOutcome>;
  /**
   * Checks the container and finds its process now, so that the kill itself is one signal: the
   * checks cost a round trip to the container engine each, which a kill step makes before its
   * last look ends rather than between the last look and the takeover.
   */
  readyKill(node: TargetNode): Promise<ReadyKill>;
  /**
   * Starts a stopped container. With `wipeClusterState` its cluster config file is emptied first,
   * so that the node comes up as a new member that knows no cluster; a running node is refused.
   */
  start(node: TargetNode, options?: { wipeClusterState?: boolean }): Promise<{ alreadyRunning: boolean }>;
  inspect(node: TargetNode): Promise<ContainerState>;
  /** Resolves when the container engine answers. */
  ping(): Promise<void>;
}

/** A kill whose container was checked: `fire` sends the SIGKILL (see `NodeControl.kill`). */
export interface ReadyKill {
  fire(): Promise<KillOutcome>;
}

export interface KillOutcome {
  readonly alreadyStopped: boolean;
  /** How the signal went: straight to the container's process, or through the container engine. */
  readonly method: 'signal' | 'engine' | 'none';
}

/** Node control would not act: the container is not the target's, or not in a state to act on. */
export class NodeControlRefusedError extends AppError {
  readonly code = 'NODE_CONTROL_REFUSED';
}
