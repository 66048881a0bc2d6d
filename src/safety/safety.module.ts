import { Module } from '@nestjs/common';
import { DrillsModule } from '../drills/drills.module.js';
import { HaltModule } from './halt.module.js';
import { SafetyController } from './safety.controller.js';

/** The kill switch's endpoints: engaging it also aborts the drills in progress, so it sits above the drills. */
@Module({
  imports: [HaltModule, DrillsModule],
  controllers: [SafetyController],
})
export class SafetyModule {}
