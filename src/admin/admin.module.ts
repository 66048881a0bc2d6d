import { Module } from '@nestjs/common';
import { TargetsModule } from '../targets/targets.module.js';
import { AdminController } from './admin.controller.js';

@Module({
  imports: [TargetsModule],
  controllers: [AdminController],
})
export class AdminModule {}
