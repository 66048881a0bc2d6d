import { Module } from '@nestjs/common';
import { connectDocker, Docker } from './docker-engine.js';

@Module({
  providers: [{ provide: Docker, useFactory: connectDocker }],
  exports: [Docker],
})
export class DockerModule {}
