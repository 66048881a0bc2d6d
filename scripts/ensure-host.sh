#!/usr/bin/env bash
# Makes sure this host can run the lab: the Redis binaries (to build a lab image when none can be
# pulled, and redis-cli for checks), debootstrap (to build the other servers' images, and the
# Compose test's PostgreSQL image), PostgreSQL's binaries for the PostgreSQL store's tests, Chromium
# for the dashboard's browser test, and a Docker engine that answers. As root on Debian it installs
# and starts what is missing; otherwise it stops and says what to install.
set -euo pipefail

say() { echo "ensure-host: $*"; }

apt_updated=""
install_packages() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing: $*. Install it (Debian/Ubuntu: sudo apt-get install -y $*) and run this again."
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

engine_answers() {
  if command -v docker >/dev/null 2>&1; then
    timeout 10 docker info >/dev/null 2>&1 && return 0
  fi
  [ -S /var/run/docker.sock ] && timeout 5 curl -fsS --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
}

# redis-tools carries the server binary too (as redis-check-rdb) without installing a system service.
if ! command -v redis-cli >/dev/null 2>&1 || ! { command -v redis-server || command -v redis-check-rdb; } >/dev/null 2>&1; then
  install_packages redis-tools
fi

# The PostgreSQL store's tests start their own server from Debian's binaries (no service is enabled).
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  install_packages postgresql
fi

# debootstrap builds the Redis 8.0 and Valkey 8.1 lab images, and the Compose file's PostgreSQL image,
# from Debian's packages when no registry answers; it needs root, so without root the lab pulls
# those images or says what is missing.
if [ "$(id -u)" -eq 0 ] && ! command -v debootstrap >/dev/null 2>&1; then
  install_packages debootstrap
fi

# The dashboard's browser test drives Debian's Chromium (no browser download works everywhere).
if ! command -v chromium >/dev/null 2>&1; then
  install_packages chromium
fi

if engine_answers; then
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST."
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  install_packages docker.io curl
fi
if [ "$(id -u)" -ne 0 ]; then
  say "the Docker engine is not running and only root can start it here: sudo dockerd (or sudo systemctl start docker)."
  exit 1
fi
log=/var/log/redis-drill-dockerd.log
say "starting dockerd in the background (log: $log)"
setsid nohup dockerd >"$log" 2>&1 </dev/null &
for _ in $(seq 1 120); do
  if engine_answers; then
    say "Docker engine is up"
    exit 0
  fi
  sleep 0.5
done
say "dockerd did not answer within 60 s; last lines of $log:"
tail -n 20 "$log" >&2
exit 1
