import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './service.js';

const run = promisify(execFile);

/** A PostgreSQL server of the test's own, on a loopback port, that only its password opens. */
export interface TestPostgres {
  /** `postgres://…` for a database of its own, created on first use of the name. */
  url(database: string): Promise<string>;
  readonly password: string;
  readonly port: number;
  /** Shuts the server down (`pg_ctl stop -m fast`: open connections are cut), keeping its data. */
  shutDown(): Promise<void>;
  /** Starts it again after `shutDown`, on the same port. */
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestPostgresOptions {
  /** `fsync` on, as in production, for figures; off by default, for speed. */
  readonly durable?: boolean;
}

/** Debian's PostgreSQL binaries (`apt-get install postgresql`, which `scripts/ensure-host.sh` does), newest version first. */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((left, right) => Number(right) - Number(left)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((bin) => existsSync(join(bin, 'pg_ctl')));
  if (!found) {
    throw new Error("PostgreSQL binaries are missing: install Debian's postgresql package (scripts/ensure-host.sh does)");
  }
  return found;
}

/**
 * initdb into a temporary directory and start the server on a free loopback port. PostgreSQL
 * refuses to run as root, so as root the directory is given to the `postgres` user and the
 * binaries run as it.
 */
export async function startTestPostgres(name: string, options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = binaries();
  const directory = mkdtempSync(join(tmpdir(), `${name}-pg-`));
  const data = join(directory, 'data');
  const password = `pg-secret-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(directory, 'password'), password);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(directory, Number(stdout.trim()), Number(group.trim()));
    chownSync(join(directory, 'password'), Number(stdout.trim()), Number(group.trim()));
  }
  const pg = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args);
  const port = await freePort();
  const start = () =>
    pg('pg_ctl', [
      '-D',
      data,
      '-l',
      join(directory, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=${options.durable ? 'on' : 'off'} -c max_connections=200`,
      'start',
    ]);
  try {
    await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'scram-sha-256', '--pwfile', join(directory, 'password'), '--no-sync']);
    await start();
  } catch (error) {
    // Interrupted or refused halfway: leave neither a server nor its directory behind.
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const created = new Set<string>(['postgres']);
  const admin = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    password,
    port,
    url: async (database) => {
      if (!created.has(database)) {
        const { Client } = (await import('pg')).default;
        const client = new Client({ connectionString: `${admin}/postgres` });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${database}"`);
        } finally {
          await client.end();
        }
        created.add(database);
      }
      return `${admin}/${database}`;
    },
    shutDown: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    startAgain: async () => {
      await start();
    },
    stop: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Runs one statement on a connection of its own, for a test that reads or breaks the database under a service. */
export async function queryPostgres<T extends pg.QueryResultRow>(url: string, statement: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(statement)).rows;
  } finally {
    await client.end();
  }
}
