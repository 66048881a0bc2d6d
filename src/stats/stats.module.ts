import { Module } from '@nestjs/common';
import { StatsController } from './stats.controller.js';
import { StepStats } from './step-stats.service.js';

@Module({
  controllers: [StatsController],
  providers: [StepStats],
})
export class StatsModule {}
