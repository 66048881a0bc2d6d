import { HttpStatus } from '@nestjs/common';
import { AppError, errorMessage } from '../common/app-error.js';
import type { NodeControl } from '../nodes/node-control.js';
import { targetNodes, type DrillTarget } from '../targets/drill-target.js';

/** What must hold before a drill may kill anything, in the order the preflight checks it. */
export const PREFLIGHT_CHECKS = [
  'halt-released',
  'docker-reachable',
  'containers-labelled',
  'target-free',
  'server-supported',
  'redis-access',
  'target-ready',
] as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

export interface FailedCheck {
  readonly check: PreflightCheck;
  readonly problem: string;
}

/** A drill refused before it touched anything, with every check that failed. */
export class PreflightFailedError extends AppError {
  readonly code = 'PREFLIGHT_FAILED';
  override readonly httpStatus = HttpStatus.UNPROCESSABLE_ENTITY;

  constructor(readonly failedChecks: readonly FailedCheck[]) {
    super(`preflight failed: ${failedChecks.map((failed) => `${failed.check}: ${failed.problem}`).join('; ')}`);
  }

  override toResponse() {
    return { message: this.message, failedChecks: [...this.failedChecks] };
  }
}

/**
 * The checks that need no cluster: the container engine answers, and every container of the
 * target exists and carries the target's label. Cheap enough to run on every request.
 */
export async function containerChecks(target: DrillTarget, nodes: NodeControl): Promise<FailedCheck[]> {
  try {
    await nodes.ping();
  } catch (error) {
    return [{ check: 'docker-reachable', problem: errorMessage(error) }];
  }
  const states = await Promise.all(targetNodes(target).map(async (node) => ({ node, state: await nodes.inspect(node) })));
  const { key, value } = target.containerLabel;
  const problems = states.flatMap(({ node, state }) => {
    if (!state.exists) {
      return [`container ${node.containerName} of ${node.name} does not exist`];
    }
    return state.labelled ? [] : [`container ${node.containerName} of ${node.name} lacks the label ${key}=${value}`];
  });
  return problems.length > 0 ? [{ check: 'containers-labelled', problem: problems.join('; ') }] : [];
}
