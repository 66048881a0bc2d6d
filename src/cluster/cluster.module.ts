import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterAdmin } from './cluster-admin.js';
import { ClusterKeyspace } from './cluster-keyspace.js';
import { RedisConnections } from './redis-connections.js';

@Module({
  providers: [
    { provide: RedisConnections, useFactory: () => new RedisConnections() },
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
