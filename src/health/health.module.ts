import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DockerModule } from '../docker/docker.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Module({
  imports: [TerminusModule, QueueModule, DockerModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
