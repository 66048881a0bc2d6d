import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { AppError } from '../common/app-error.js';
import { Docker } from '../docker/docker-engine.js';
import { DockerNodeControl } from '../nodes/docker-node-control.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { DEFAULT_DRILL_SETTINGS } from './drill-runner.factory.js';
import { TargetBusyError } from './drill-errors.js';
import { DrillService } from './drill.service.js';
import { DrillSummaryReader } from './drill-summary.reader.js';
import { planRepair, repairLogFacts, type RepairPlan } from './repair-plan.js';
import { REPAIR_SCENARIO } from './scenarios.js';
import { observeTarget } from './steps/repair.step.js';
import { holderInLog } from './unfinished-drills.js';

/** The drills of the target the log facts are read from, newest first: past a few failed repairs, the last drill. */
const RECENT_DRILLS = 20;

export class RepairBlockedError extends AppError {
  readonly code = 'REPAIR_BLOCKED';
  override readonly httpStatus = HttpStatus.UNPROCESSABLE_ENTITY;

  constructor(readonly plan: RepairPlan) {
    super(`target ${plan.target} cannot be repaired: ${plan.blocked}`);
  }

  override toResponse() {
    return { message: this.message, findings: this.plan.findings };
  }
}

export type RepairAnswer = RepairPlan & { readonly dryRun: boolean; readonly drillId?: string; readonly status?: 'queued' };

/** Looks at a target and its log, says what is wrong, and queues a repair drill when asked to fix it. */
@Injectable()
export class RepairService {
  constructor(
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(ClusterAdmin) private readonly admin: ClusterAdmin,
    @Inject(Docker) private readonly docker: Docker,
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(DrillService) private readonly drills: DrillService,
  ) {}

  /**
   * The plan for the target as it stands. A dry run, or a target with nothing wrong, ends there; a
   * target repair cannot fix is refused (422) with what was found. Otherwise a repair drill is
   * queued: it holds the target as any drill does (409 while another drill is unfinished) and
   * plans again when it runs, from what it finds then.
   */
  async repair(targetName: string, dryRun: boolean, actor: string): Promise<RepairAnswer> {
    const target = this.targets.get(targetName);
    // While a drill is unfinished the cluster is its own: what a look finds now is that drill's work in progress.
    const holder = dryRun ? undefined : holderInLog(await this.summaries.unfinished(target.name), target.name);
    if (holder) {
      throw new TargetBusyError(target.name, holder.id);
    }
    const recent = await Promise.all(
      (await this.summaries.page({ target: target.name, limit: RECENT_DRILLS })).map(async (row) => ({
        id: row.id,
        scenario: row.scenario,
        status: row.status,
        steps: await this.summaries.steps(row.id),
      })),
    );
    const facts = repairLogFacts(recent);
    const observation = await observeTarget(
      this.admin,
      new DockerNodeControl(this.docker, target),
      target,
      DEFAULT_DRILL_SETTINGS.maxReplicaLagBytes,
    );
    const plan = planRepair(target, observation, facts);
    if (dryRun || plan.ready) {
      return { ...plan, dryRun };
    }
    if (plan.blocked) {
      throw new RepairBlockedError(plan);
    }
    const { id } = await this.drills.request({
      scenario: REPAIR_SCENARIO,
      target: target.name,
      trigger: 'manual',
      actor,
      ...(facts.halfDoneFailback ? { finishFailbackOf: facts.halfDoneFailback } : {}),
    });
    return { ...plan, dryRun, drillId: id, status: 'queued' };
  }
}
