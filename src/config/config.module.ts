import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from './app-config.js';

/** Makes the validated configuration and the clock available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}
