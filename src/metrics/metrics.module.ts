import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { HaltModule } from '../safety/halt.module.js';
import { DrillMetrics } from './drill-metrics.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [QueueModule, HaltModule],
  controllers: [MetricsController],
  providers: [DrillMetrics],
})
export class MetricsModule {}
