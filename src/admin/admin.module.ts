import { Module } from '@nestjs/common';
import { ClusterModule } from '../cluster/cluster.module.js';
import { DockerModule } from '../docker/docker.module.js';
import { TargetsModule } from '../targets/targets.module.js';
import { AdminController } from './admin.controller.js';
import { TargetDiscoveryService } from './target-discovery.service.js';

@Module({
  imports: [TargetsModule, ClusterModule, DockerModule],
  controllers: [AdminController],
  providers: [TargetDiscoveryService],
})
export class AdminModule {}
