import { Module } from '@nestjs/common';
import { HaltSwitch } from './halt-switch.js';

/** The kill switch, for every module that starts or runs drills. */
@Module({
  providers: [HaltSwitch],
  exports: [HaltSwitch],
})
export class HaltModule {}
