import { Module } from '@nestjs/common';
import { APP_CONFIG, LAB_TARGET, type AppConfig } from '../config/app-config.js';
import { labTarget } from '../lab/lab-topology.js';
import { TargetRegistry } from './target-registry.js';

export const LAB_TARGET_NAME = LAB_TARGET;

/** The targets this service may drill: the lab it manages, under the name `lab`, and those of `TARGETS_FILE`. */
@Module({
  providers: [
    {
      provide: TargetRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new TargetRegistry(
          [labTarget(config.lab, LAB_TARGET_NAME), ...config.targets.targets],
          config.targets.defaultTarget ?? LAB_TARGET_NAME,
        ),
    },
  ],
  exports: [TargetRegistry],
})
export class TargetsModule {}
