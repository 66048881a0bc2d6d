import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../src/common/app-error.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensurePostgresImage } from '../src/docker/postgres-image.js';
import { labQueueUrl } from '../src/lab/lab-topology.js';
import { readComposeFile } from './support/compose-file.js';
import { ComposeProject } from './support/compose-project.js';
import { drillEnded } from './support/drill-outcome.js';
import { freeLab, freePortBlock } from './support/free-ports.js';
import { ensureHostNodeImage } from './support/host-node-image.js';
import { queryPostgres } from './support/postgres.js';
import { fetchAs, getDrill, post, startService, TEST_API_TOKENS, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

/** The PostgreSQL image is built once from Debian's package: a few minutes on a busy machine. */
const IMAGE_BUILD_TIMEOUT_MS = 20 * 60_000;
const PROJECT = 'compose-pg-ha';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * docker-compose.yml's `ha` profile, run as `docker compose -p compose-pg-ha --profile ha up`
 * would run it (through the Docker API: the machine may have no Compose CLI): its PostgreSQL,
 * with the image built here from Debian's package (`POSTGRES_IMAGE`), and its instance two, on
 * the host's network like everything in the file, on free ports given through the file's
 * variables. Two things differ, because a test reaches no registry: instance two runs this host's
 * Node with this checkout's packages (mounted read-only) instead of `npm ci` on
 * `node:22-bookworm-slim`, and the queue it depends on is that of a lab of the test's own.
 * Instance one is the built service on the host, API only, so that the drill it accepts can only
 * run on instance two.
 */
describe('docker-compose.yml’s ha profile, with PostgreSQL built from Debian’s package', () => {
  const docker = connectDocker();
  const project = new ComposeProject(docker, PROJECT, ROOT);
  const directory = mkdtempSync(join(tmpdir(), `${PROJECT}-`));
  let postgresImage: string;
  let lab: TestLab | undefined;
  let password: string;
  let databaseUrl: string;
  let instanceTwo: string;
  let instanceOne: RunningService | undefined;

  beforeAll(async () => {
    postgresImage = await ensurePostgresImage(docker, loadConfig().debianMirror, (line) => console.log(line));
  }, IMAGE_BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    await project.down();
    const [nodeImage, labSettings, postgresPort] = await Promise.all([
      ensureHostNodeImage(docker),
      freeLab(`${PROJECT}-lab`),
      // Two ports in a row: two separate picks could answer the same one.
      freePortBlock(2),
    ]);
    const instanceTwoPort = postgresPort + 1;
    // Letters and digits: the file puts it into a URL.
    password = randomBytes(12).toString('hex');
    const { services } = readComposeFile(new URL('../docker-compose.yml', import.meta.url), {
      POSTGRES_IMAGE: postgresImage,
      POSTGRES_PASSWORD: password,
      POSTGRES_PORT: String(postgresPort),
      INSTANCE_TWO_PORT: String(instanceTwoPort),
      API_TOKENS: TEST_API_TOKENS,
      LAB_NAME: labSettings.name,
      LAB_BASE_PORT: String(labSettings.basePort),
    });
    const { postgres, 'instance-two': instance } = services;
    expect(instance!.depends_on).toEqual(['postgres', 'queue']);

    // The lab's queue is where the file's own queue service would be: at the lab's base port.
    lab = await startTestLab(labSettings, { form: true });
    await project.up('postgres', postgres!);
    await project.up('instance-two', {
      ...instance!,
      image: nodeImage,
      command: ['node', '/app/dist/main.js'],
      volumes: instance!.volumes!.map((volume) =>
        volume.endsWith(':/app/node_modules') ? `${realpathSync(join(ROOT, 'node_modules'))}:/app/node_modules:ro` : volume,
      ),
    });
    databaseUrl = `postgres://drill:${password}@127.0.0.1:${postgresPort}/redis_drill`;
    expect(instance!.environment).toMatchObject({ DATABASE_URL: databaseUrl, REDIS_URL: labQueueUrl(labSettings) });

    instanceTwo = `http://127.0.0.1:${instanceTwoPort}/api`;
    // Compose starts instance two right after PostgreSQL, which is still initialising its data:
    // instance two waits for it rather than failing.
    await waitFor(
      async () => {
        const health = await fetch(`${instanceTwo}/health`).catch((error: unknown) => errorMessage(error));
        return typeof health !== 'string' && health.ok
          ? satisfied(undefined)
          : pending(typeof health === 'string' ? health : `health answered ${health.status}`);
      },
      { description: 'instance two to answer its health check', timeoutMs: 120_000, intervalMs: 250 },
    ).catch(async (error: unknown) => {
      throw new Error(
        `${errorMessage(error)}\ninstance two printed:\n${await project.logs('instance-two')}\npostgres printed:\n${await project.logs('postgres')}`,
      );
    });
    instanceOne = await startService(
      {
        DATABASE_URL: databaseUrl,
        REDIS_URL: labQueueUrl(labSettings),
        LAB_NAME: labSettings.name,
        LAB_BASE_PORT: String(labSettings.basePort),
        WORKER_ENABLED: 'false',
      },
      undefined,
      { cwd: directory },
    );
  });

  afterAll(async () => {
    await instanceOne?.stop();
    await project.down();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
    expect(await project.leftovers(), 'what the project left after down').toEqual([]);
  });

  it('initialises the database the file names, with the password it gives, and instance two migrates it', async () => {
    const [postgres] = await queryPostgres<{ user: string; database: string; version: string }>(
      databaseUrl,
      'SELECT current_user AS "user", current_database() AS "database", current_setting(\'server_version_num\') AS "version"',
    );
    expect(postgres).toMatchObject({ user: 'drill', database: 'redis_drill' });
    expect(Number(postgres!.version)).toBeGreaterThanOrEqual(170_000);
    const wrong = databaseUrl.replace(/:[0-9a-f]+@/, ':wrong@');
    await expect(queryPostgres(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    const tables = await queryPostgres<{ name: string }>(
      databaseUrl,
      "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'drill_events'",
    );
    expect(tables).toEqual([{ name: 'drill_events' }]);
    const health = (await (await fetch(`${instanceTwo}/health`)).json()) as { details: Record<string, { status: string }> };
    expect(health.details).toMatchObject({ database: { status: 'up' }, queue: { status: 'up' }, docker: { status: 'up' } });
    expect(await project.logs('instance-two')).not.toContain(password);
  });

  it('runs on instance two a drill requested through instance one, and both show it from the one log', async () => {
    const accepted = await post(instanceOne!.base, '/drills', { scenario: 'group-failover', target: 'lab' });
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await drillEnded(instanceTwo, id, 'succeeded', 150_000);
    expect(await getDrill(instanceOne!.base, id)).toEqual(await getDrill(instanceTwo, id));

    // The log is PostgreSQL's: the drill's events there are the ones both APIs list.
    const rows = await queryPostgres<{ type: string }>(
      databaseUrl,
      `SELECT "type" FROM "drill_events" WHERE "stream_id" = '${id}' ORDER BY "position"`,
    );
    expect(rows.at(-1)?.type).toBe('DrillSucceeded');
    for (const base of [instanceOne!.base, instanceTwo]) {
      const events = (await (await fetchAs(`${base}/drills/${id}/events?limit=500`)).json()) as { items: { type: string }[] };
      expect(events.items.map((event) => event.type)).toEqual(rows.map((row) => row.type));
      const verified = (await (await fetchAs(`${base}/audit/verify`)).json()) as { intact: boolean; eventsChecked: number };
      expect(verified).toMatchObject({ intact: true, eventsChecked: rows.length });
    }
  });
});
