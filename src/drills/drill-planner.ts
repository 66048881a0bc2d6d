import { Inject, Injectable } from '@nestjs/common';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { failoverLayout } from '../targets/drill-target.js';
import type { DrillOptions } from './drill-events.js';
import type { ScenarioName } from './scenarios.js';
import { planDrill, type DrillPlan } from './drill-plan.js';
import { servingLayout } from './steps/group-restore.js';

/** Dry runs: what a drill would do to its target now, read from the live cluster without changing it. */
@Injectable()
export class DrillPlanner {
  constructor(
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(ClusterAdmin) private readonly admin: ClusterAdmin,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async plan(request: { scenario: ScenarioName; target?: string | undefined; options?: DrillOptions | undefined }): Promise<DrillPlan> {
    const target = this.targets.get(request.target ?? this.targets.defaultTarget);
    // Only CLUSTER NODES goes out, to find the group that serves; with none answering, A is assumed.
    const layout = (await servingLayout(this.admin, target)) ?? failoverLayout(target, 'A');
    return planDrill(target, layout, request.scenario, request.options ?? {}, this.config.canaryKeys);
  }
}
