#!/usr/bin/env bash
# The unit tests and a boot of the built service on Node 22, the recommended version, whatever Node
# the machine has. Node 22 comes from the npm registry's `node` package. The project runs from a copy
# with dependencies of its own, since better-sqlite3 is compiled for one Node ABI; both are kept in a
# cache, so only the first run, or one after the lock file changes, pays for `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR=22
cache="${NODE22_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/redis-drill/node$NODE_MAJOR}"
runtime="$cache/runtime"
work="$cache/project"
log="$cache/last-run.log"
mkdir -p "$runtime" "$work"
: >"$log"

fail() {
  echo "node $NODE_MAJOR check: $1 (last lines of $log):" >&2
  tail -n 30 "$log" >&2
  exit 1
}

if [[ "$("$runtime/node_modules/node/bin/node" --version 2>/dev/null)" != v$NODE_MAJOR.* ]]; then
  [[ -f "$runtime/package.json" ]] || echo '{ "private": true, "allowScripts": { "node": true } }' >"$runtime/package.json"
  npm install --prefix "$runtime" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >>"$log" 2>&1 || fail "installing node@$NODE_MAJOR failed"
fi
export PATH="$runtime/node_modules/node/bin:$PATH"
# The package for this platform ships the headers; a machine's npmrc may point node-gyp at its own Node's.
headers="$(find "$runtime/node_modules" -path '*/include/node/node_version.h' -print -quit)"
export npm_config_nodedir="${headers%/include/node/node_version.h}"

# The working tree as git sees it (tracked and new files, nothing ignored), and the build if there is one.
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | grep -zv '^node_modules$' | tar --null -T - -cf - | tar -xf - -C "$work"
if [[ -d dist ]]; then
  cp -R dist "$work/dist"
fi
cd "$work"

stamp="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.node-check-stamp 2>/dev/null)" != "$stamp" ]]; then
  npm ci --no-audit --no-fund --loglevel=error >>"$log" 2>&1 || fail "npm ci failed"
  echo "$stamp" >node_modules/.node-check-stamp
fi
if [[ ! -f dist/main.js ]]; then
  npm run build >>"$log" 2>&1 || fail "the build failed"
fi

npx vitest run --project unit >>"$log" 2>&1 || fail "unit tests failed"
echo "node $NODE_MAJOR check: $(node --version), unit tests:$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tr -s ' ')"

# The service boots and answers its health check; nothing listens on the queue's port, which the
# report shows as down while the database is up.
free_port() { node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }
port="$(free_port)"
data="$(mktemp -d)"
DATABASE_PATH="$data/drills.sqlite" HOST=127.0.0.1 PORT="$port" REDIS_URL="redis://127.0.0.1:$(free_port)" WORKER_ENABLED=false \
  LAB_NAME=node-check API_TOKENS="node-check:viewer:$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" \
  node dist/main.js >>"$log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do
  if health="$(node -e "fetch('http://127.0.0.1:$port/api/health').then((r) => r.json()).then((b) => console.log(b.details.database.status))" 2>/dev/null)"; then
    break
  fi
  kill -0 "$service" 2>/dev/null || fail "the service exited at boot"
  sleep 1
done
[[ "${health:-}" == up ]] || fail "the service did not report its database up on /api/health"
echo "node $NODE_MAJOR check: dist/main.js boots and reports its database up"
