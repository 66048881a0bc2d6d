import { Module } from '@nestjs/common';
import { hostname } from 'node:os';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import { ClusterModule } from '../cluster/cluster.module.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Docker } from '../docker/docker-engine.js';
import { DockerModule } from '../docker/docker.module.js';
import { EventStore } from '../events/event-store.js';
import { QueueModule } from '../queue/queue.module.js';
import { TargetLocks } from '../queue/target-locks.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { TargetsModule } from '../targets/targets.module.js';
import { DrillController } from './drill.controller.js';
import { DrillService } from './drill.service.js';
import { DrillHistory } from './drill-history.service.js';
import { DrillPlanner } from './drill-planner.js';
import { DrillRunner } from './drill-runner.js';
import { createDrillRunner } from './drill-runner.factory.js';
import { CrashPoints } from './crash-points.js';
import { HaltSwitch } from '../safety/halt-switch.js';
import { HaltModule } from '../safety/halt.module.js';
import { DrillSummaryReader } from './drill-summary.reader.js';
import { LogFirstLocks } from './unfinished-drills.js';
import { RepairController } from './repair.controller.js';
import { RepairService } from './repair.service.js';

@Module({
  imports: [ClusterModule, DockerModule, TargetsModule, QueueModule, HaltModule],
  controllers: [DrillController, RepairController],
  providers: [
    DrillService,
    DrillHistory,
    DrillPlanner,
    RepairService,
    {
      provide: DrillRunner,
      inject: [
        EventStore,
        TargetRegistry,
        ClusterAdmin,
        ClusterKeyspace,
        Docker,
        CLOCK,
        TargetLocks,
        APP_CONFIG,
        HaltSwitch,
        DrillSummaryReader,
      ],
      useFactory: (
        store: EventStore,
        targets: TargetRegistry,
        admin: ClusterAdmin,
        keyspace: ClusterKeyspace,
        docker: Docker,
        clock: Clock,
        locks: TargetLocks,
        config: AppConfig,
        halt: HaltSwitch,
        summaries: DrillSummaryReader,
      ) =>
        createDrillRunner({
          store,
          targets,
          admin,
          keyspace,
          docker,
          clock,
          // The log decides who holds a target; the leases in the queue's Redis fence workers after that.
          locks: new LogFirstLocks(locks, async (target) => summaries.unfinished(target)),
          worker: `${hostname()}:${process.pid}`,
          settings: { canaryKeys: config.canaryKeys, stepTimeoutMs: config.stepTimeoutMs },
          crashPoints: new CrashPoints(config.crashAt),
          halt,
        }),
    },
  ],
  exports: [DrillRunner, DrillService],
})
export class DrillsModule {}
