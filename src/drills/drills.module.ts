import { Module } from '@nestjs/common';
import { ClusterAdmin } from '../cluster/cluster-admin.js';
import { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import { ClusterModule } from '../cluster/cluster.module.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Docker } from '../docker/docker-engine.js';
import { DockerModule } from '../docker/docker.module.js';
import { EventStore } from '../events/event-store.js';
import { QueueModule } from '../queue/queue.module.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { TargetsModule } from '../targets/targets.module.js';
import { DrillController } from './drill.controller.js';
import { DrillService } from './drill.service.js';
import { DrillHistory } from './drill-history.service.js';
import { DrillRunner } from './drill-runner.js';
import { createDrillRunner } from './drill-runner.factory.js';

@Module({
  imports: [ClusterModule, DockerModule, TargetsModule, QueueModule],
  controllers: [DrillController],
  providers: [
    DrillService,
    DrillHistory,
    {
      provide: DrillRunner,
      inject: [EventStore, TargetRegistry, ClusterAdmin, ClusterKeyspace, Docker, CLOCK, APP_CONFIG],
      useFactory: (
        store: EventStore,
        targets: TargetRegistry,
        admin: ClusterAdmin,
        keyspace: ClusterKeyspace,
        docker: Docker,
        clock: Clock,
        config: AppConfig,
      ) => createDrillRunner({ store, targets, admin, keyspace, docker, clock, settings: { canaryKeys: config.canaryKeys } }),
    },
  ],
  exports: [DrillRunner],
})
export class DrillsModule {}
