import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterAdmin } from './cluster-admin.js';
import { ClusterKeyspace } from './cluster-keyspace.js';
import { RedisConnections } from './redis-connections.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { TargetsModule } from '../targets/targets.module.js';

@Module({
  imports: [TargetsModule],
  providers: [
    {
      provide: RedisConnections,
      inject: [TargetRegistry],
      // Each node is reached with the AUTH and TLS of the one target it belongs to.
      useFactory: (targets: TargetRegistry) => new RedisConnections({}, targets.securityAt),
    },
    { provide: ClusterAdmin, inject: [RedisConnections], useFactory: (redis: RedisConnections) => new ClusterAdmin(redis) },
    {
      provide: ClusterKeyspace,
      inject: [RedisConnections, ClusterAdmin],
      useFactory: (redis: RedisConnections, admin: ClusterAdmin) => new ClusterKeyspace(redis, admin),
    },
  ],
  exports: [ClusterAdmin, ClusterKeyspace],
})
export class ClusterModule implements OnApplicationShutdown {
  constructor(@Inject(RedisConnections) private readonly redis: RedisConnections) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.closeAll();
  }
}
