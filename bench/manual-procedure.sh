#!/usr/bin/env bash
# The seed README's failover, by hand, as a new user would run it: its commands in its order, with
# its waits (wait for cluster_state:fail, fixed sleeps before replicating), against a lab in the
# starting layout. Prints one line of JSON with the times it took.
#
#   bench/manual-procedure.sh <lab-name> <base-port>
set -euo pipefail
lab=${1:?lab name}
base=${2:?base port}
a_ports=$(seq $((base + 1)) $((base + 6)))
b_masters=$(seq $((base + 11)) $((base + 13)))
b_new=$(seq $((base + 14)) $((base + 16)))
b1=$((base + 11))
cli() { redis-cli -h 127.0.0.1 -p "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
state() { cli "$1" cluster info | tr -d '\r' | awk -F: '/^cluster_state/ {print $2}'; }

# 5. Kill the group A nodes (only this lab's).
start=$(now_ms)
docker kill $(docker ps -q -f "name=^/${lab}-a[1-6]$") >/dev/null

# "it may take up to 10 seconds for the cluster state to update": wait for cluster_state:fail.
until [ "$(state "$b1")" = fail ]; do sleep 0.5; done

# 6. Force the replicas to take over (3-cluster-takeover.sh).
for port in $b_masters; do cli "$port" cluster failover takeover >/dev/null; done
until [ "$(state "$b1")" = ok ]; do sleep 0.5; done
ok=$(now_ms)

# 7. Remove the failed nodes (4-remove-failed-nodes.sh): the ids that CLUSTER NODES shows as failed.
for port in $b_masters; do
  for id in $(cli "$port" cluster nodes | awk '/fail/ {print $1}'); do
    cli "$port" cluster forget "$id" >/dev/null || true
  done
done

# 8. Add the remaining B nodes: one CLUSTER MEET each, sent from B1.
for port in $b_new; do cli "$b1" cluster meet 127.0.0.1 "$port" >/dev/null; done

# 9. Note the master ids, then make each new node a replica, after the README's pause; a refusal
# ("ERR Unknown node") is met by waiting the same pause again and retrying, as a person would.
sleep 2
set -- $b_masters
for port in $b_new; do
  master_id=$(cli "$1" cluster myid)
  shift
  until cli "$port" cluster replicate "$master_id" | grep -q OK; do sleep 2; done
done

# Fully redundant: every new replica's link to its master is up.
for port in $b_new; do
  until cli "$port" info replication | tr -d '\r' | grep -q '^master_link_status:up'; do sleep 0.5; done
done
redundant=$(now_ms)
echo "{\"killToOkMs\": $((ok - start)), \"killToRedundantMs\": $((redundant - start))}"
