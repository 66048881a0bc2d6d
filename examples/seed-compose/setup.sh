#!/bin/sh
# The seed's steps 2-4 on the compose layout: cluster A from a1-a6 (one replica each), a key, and
# b1-b3 attached as replicas of A's masters. b4-b6 stay empty: they are the spares.
set -eu
node() { echo "172.30.0.$1:6379"; }
A="$(node 11) $(node 12) $(node 13) $(node 14) $(node 15) $(node 16)"
docker exec redis-cluster-manual-failover-redis-a1-1 redis-cli --cluster create $A --cluster-replicas 1 --cluster-yes
docker exec redis-cluster-manual-failover-redis-a1-1 redis-cli -c set a a
for i in 1 2 3; do
  master="$(docker exec "redis-cluster-manual-failover-redis-a$i-1" redis-cli cluster myid)"
  docker exec redis-cluster-manual-failover-redis-a1-1 redis-cli --cluster add-node "$(node $((20 + i)))" "$(node $((10 + i)))" \
    --cluster-slave --cluster-master-id "$master"
done
