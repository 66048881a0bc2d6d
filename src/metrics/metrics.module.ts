import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { SafetyModule } from '../safety/safety.module.js';
import { DrillMetrics } from './drill-metrics.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [QueueModule, SafetyModule],
  controllers: [MetricsController],
  providers: [DrillMetrics],
})
export class MetricsModule {}
