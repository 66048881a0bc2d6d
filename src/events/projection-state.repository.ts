import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteHandle } from '../database/sqlite.js';

/** The `projection_state` table: which version of each projection its tables hold. */
export class ProjectionStateRepository {
  private readonly statements: {
    version: Statement<[string], number>;
    setVersion: Statement<[string, number]>;
  };

  constructor(dataSource: DataSource) {
    const db = sqliteHandle(dataSource);
    this.statements = {
      version: db.prepare('SELECT version FROM projection_state WHERE name = ?').pluck() as Statement<[string], number>,
      setVersion: db.prepare(
        'INSERT INTO projection_state (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
      ),
    };
  }

  /** The version a projection's tables were last built at; undefined if never. */
  version(name: string): number | undefined {
    return this.statements.version.get(name);
  }

  setVersion(name: string, version: number): void {
    this.statements.setVersion.run(name, version);
  }
}
