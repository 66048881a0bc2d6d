import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { labTarget } from '../lab/lab-topology.js';
import { TargetRegistry } from './target-registry.js';

export const LAB_TARGET_NAME = 'lab';

/** The targets this service may drill. For now the lab it manages, under the name `lab`. */
@Module({
  providers: [
    {
      provide: TargetRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TargetRegistry([labTarget(config.lab, LAB_TARGET_NAME)], LAB_TARGET_NAME),
    },
  ],
  exports: [TargetRegistry],
})
export class TargetsModule {}
