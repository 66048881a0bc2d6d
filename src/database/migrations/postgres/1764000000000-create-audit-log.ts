import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log, its hash chain, and the drill projections, in PostgreSQL: the SQLite migration of
 * the same name with PostgreSQL's types. Text that is sorted or compared (ids, times, names) uses
 * the "C" collation, which compares bytes as SQLite does, so that both stores order alike; times
 * in milliseconds are `double precision`, SQLite's `real`.
 */
export class CreateAuditLog1764000000000 implements MigrationInterface {
  name = 'CreateAuditLog1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Positions are handed out by the event store under its append lock, so that a rolled-back
    // append leaves no gap (a sequence would), and the chain stays one line of positions.
    await queryRunner.query(
      `CREATE TABLE "drill_events" ("position" integer PRIMARY KEY NOT NULL, "drill_id" varchar(36) COLLATE "C" NOT NULL, "sequence" integer NOT NULL, "type" varchar(64) COLLATE "C" NOT NULL, "schema_version" integer NOT NULL, "data" text NOT NULL, "actor" varchar(128) COLLATE "C" NOT NULL, "occurred_at" varchar(24) COLLATE "C" NOT NULL, "hash" varchar(64) COLLATE "C" NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "drill_events_stream" ON "drill_events" ("drill_id", "sequence")`);
    // Append-only in the database itself, for every role but the table's owner dropping the
    // triggers first, which the hash chain then reveals.
    await queryRunner.query(
      `CREATE FUNCTION "drill_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'drill_events is append-only'; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "drill_events_no_update" BEFORE UPDATE ON "drill_events" FOR EACH ROW EXECUTE FUNCTION "drill_events_append_only"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "drill_events_no_delete" BEFORE DELETE ON "drill_events" FOR EACH ROW EXECUTE FUNCTION "drill_events_append_only"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "drill_events_no_truncate" BEFORE TRUNCATE ON "drill_events" FOR EACH STATEMENT EXECUTE FUNCTION "drill_events_append_only"()`,
    );
    // SQLite's `sqlite_sequence` in one row: the highest position ever appended, so that events cut
    // off the end of the log are noticed. Every append locks this row first: appends take turns.
    await queryRunner.query(
      `CREATE TABLE "log_high_water" ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"), "position" integer NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "log_high_water" ("id", "position") VALUES (true, 0)`);
    await queryRunner.query(
      `CREATE FUNCTION "log_high_water_only_up"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP <> 'UPDATE' OR NEW."position" < OLD."position" THEN RAISE EXCEPTION 'log_high_water only rises'; END IF; RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "log_high_water_only_up" BEFORE UPDATE OR DELETE ON "log_high_water" FOR EACH ROW EXECUTE FUNCTION "log_high_water_only_up"()`,
    );
    await queryRunner.query(
      `CREATE TABLE "projection_state" ("name" varchar(64) COLLATE "C" PRIMARY KEY NOT NULL, "version" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "drills" ("id" varchar(36) COLLATE "C" PRIMARY KEY NOT NULL, "scenario" varchar(32) COLLATE "C" NOT NULL, "target" varchar(64) COLLATE "C" NOT NULL, "trigger" varchar(16) COLLATE "C" NOT NULL, "schedule_id" varchar(36) COLLATE "C", "actor" varchar(128) COLLATE "C" NOT NULL, "status" varchar(16) COLLATE "C" NOT NULL, "requested_at" varchar(24) COLLATE "C" NOT NULL, "started_at" varchar(24) COLLATE "C", "finished_at" varchar(24) COLLATE "C", "total_ms" double precision, "kill_to_serving_ms" double precision, "kill_to_redundant_ms" double precision, "error" text, "version" integer NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "drills_target_requested" ON "drills" ("target", "requested_at")`);
    await queryRunner.query(`CREATE INDEX "drills_requested" ON "drills" ("requested_at", "id")`);
    await queryRunner.query(`CREATE INDEX "drills_rank" ON "drills" ("status", "total_ms", "requested_at", "target")`);
    await queryRunner.query(
      `CREATE TABLE "drill_steps" ("drill_id" varchar(36) COLLATE "C" NOT NULL, "name" varchar(16) COLLATE "C" NOT NULL, "requested_at" varchar(24) COLLATE "C" NOT NULL, "target" varchar(64) COLLATE "C" NOT NULL, "ordinal" integer NOT NULL, "status" varchar(16) COLLATE "C" NOT NULL, "started_at" varchar(24) COLLATE "C", "finished_at" varchar(24) COLLATE "C", "duration_ms" double precision, "error" text, PRIMARY KEY ("drill_id", "name"))`,
    );
    await queryRunner.query(`CREATE INDEX "drill_steps_rank" ON "drill_steps" ("name", "status", "duration_ms", "requested_at", "target")`);
    await queryRunner.query(
      `CREATE INDEX "drill_steps_window" ON "drill_steps" ("requested_at", "target", "name", "status", "duration_ms")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "drill_steps"`);
    await queryRunner.query(`DROP TABLE "drills"`);
    await queryRunner.query(`DROP TABLE "projection_state"`);
    await queryRunner.query(`DROP TABLE "log_high_water"`);
    await queryRunner.query(`DROP FUNCTION "log_high_water_only_up"`);
    await queryRunner.query(`DROP TABLE "drill_events"`);
    await queryRunner.query(`DROP FUNCTION "drill_events_append_only"`);
  }
}
