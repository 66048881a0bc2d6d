/**
 * Builds the PostgreSQL image for docker-compose.yml's `ha` profile on a machine that reaches a
 * Debian mirror and no image registry (docs/high-availability.md), unless it is there already.
 */
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensurePostgresImage } from '../src/docker/postgres-image.js';

const image = await ensurePostgresImage(connectDocker(), loadConfig().debianMirror, (line) => console.log(line));
console.log(`${image} is ready: POSTGRES_IMAGE=${image} docker compose --profile ha up -d`);
