import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDebianImage } from './debian-image.js';
import type { Docker } from './docker-engine.js';
import { imageExists } from './redis-image.js';

/**
 * The PostgreSQL image built here for `docker-compose.yml`'s `ha` profile when no registry answers
 * (`POSTGRES_IMAGE`). A name of its own: tagged `postgres:17`, it would stand in for the official
 * image on the machine.
 */
export const LOCAL_POSTGRES_IMAGE = 'redis-drill-postgres:17-debian';

const MAJOR = 17;
const DATA = '/var/lib/postgresql/data';

/**
 * The part of the official image's entrypoint that the Compose file relies on: POSTGRES_USER
 * (default postgres) made the superuser with POSTGRES_PASSWORD (required, as there), POSTGRES_DB
 * (default: the user's name) created, all on the first start only, when the data directory
 * (PGDATA) is empty; password logins from any address; the server run as the postgres user with
 * the command's arguments (`postgres -c …`). Init scripts and the other variables are left out.
 */
const ENTRYPOINT = `#!/bin/sh
set -eu
case "$1" in -*) set -- postgres "$@" ;; esac
if [ "$1" != postgres ]; then
  exec "$@"
fi
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="\${POSTGRES_USER:-postgres}"
  if [ -z "\${POSTGRES_PASSWORD:-}" ]; then
    echo "the database is not initialised and POSTGRES_PASSWORD is empty: set it" >&2
    exit 1
  fi
  printf '%s\\n' "$POSTGRES_PASSWORD" | initdb --pgdata="$PGDATA" --username="$user" --pwfile=/dev/stdin \\
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all all scram-sha-256\\n' >>"$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\\n" >>"$PGDATA/postgresql.conf"
  database="\${POSTGRES_DB:-$user}"
  if [ "$database" != postgres ]; then
    printf 'CREATE DATABASE "%s";\\n' "$(printf '%s' "$database" | sed 's/"/""/g')" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "initialised $PGDATA: superuser $user, database $database"
fi
exec "$@"
`;

/**
 * Makes sure the local PostgreSQL image is there, building it from Debian 13's postgresql-17
 * (`debootstrap`, root only, a minute or two) when it is not; once built it is used as it is.
 */
export async function ensurePostgresImage(docker: Docker, mirror: string, log: (line: string) => void = () => undefined): Promise<string> {
  if (await imageExists(docker, LOCAL_POSTGRES_IMAGE)) {
    return LOCAL_POSTGRES_IMAGE;
  }
  await buildDebianImage(
    docker,
    {
      suite: 'trixie',
      packages: [`postgresql-${MAJOR}`, 'util-linux'],
      complete: async (rootfs) => {
        // The cluster Debian's package creates for its own service: the entrypoint makes its own.
        await rm(join(rootfs, `var/lib/postgresql/${MAJOR}`), { recursive: true, force: true });
        await rm(join(rootfs, `etc/postgresql/${MAJOR}`), { recursive: true, force: true });
        await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
        const entrypoint = join(rootfs, 'usr/local/bin/docker-entrypoint.sh');
        await writeFile(entrypoint, ENTRYPOINT);
        await chmod(entrypoint, 0o755);
      },
      changes: [
        `ENV PATH=/usr/lib/postgresql/${MAJOR}/bin:/usr/local/bin:/usr/bin:/bin`,
        `ENV PGDATA=${DATA}`,
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["postgres"]',
      ],
    },
    LOCAL_POSTGRES_IMAGE,
    mirror,
    log,
  );
  if (!(await imageExists(docker, LOCAL_POSTGRES_IMAGE))) {
    throw new Error(`building ${LOCAL_POSTGRES_IMAGE} reported success but the image is not there`);
  }
  return LOCAL_POSTGRES_IMAGE;
}
