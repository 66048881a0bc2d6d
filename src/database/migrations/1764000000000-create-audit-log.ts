import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log, its hash chain, and the drill projections. */
export class CreateAuditLog1764000000000 implements MigrationInterface {
  name = 'CreateAuditLog1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "drill_events" ("position" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "drill_id" varchar(36) NOT NULL, "sequence" integer NOT NULL, "type" varchar(64) NOT NULL, "schema_version" integer NOT NULL, "data" text NOT NULL, "actor" varchar(128) NOT NULL, "occurred_at" varchar(24) NOT NULL, "hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "drill_events_stream" ON "drill_events" ("drill_id", "sequence")`);
    // Append-only in the database itself: edits and deletions are refused, and the hash chain
    // reveals them if the triggers are dropped first.
    await queryRunner.query(
      `CREATE TRIGGER "drill_events_no_update" BEFORE UPDATE ON "drill_events" BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "drill_events_no_delete" BEFORE DELETE ON "drill_events" BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END`,
    );
    await queryRunner.query(`CREATE TABLE "projection_state" ("name" varchar(64) PRIMARY KEY NOT NULL, "version" integer NOT NULL)`);
    await queryRunner.query(
      `CREATE TABLE "drills" ("id" varchar(36) PRIMARY KEY NOT NULL, "scenario" varchar(32) NOT NULL, "target" varchar(64) NOT NULL, "trigger" varchar(16) NOT NULL, "schedule_id" varchar(36), "actor" varchar(128) NOT NULL, "status" varchar(16) NOT NULL, "requested_at" varchar(24) NOT NULL, "started_at" varchar(24), "finished_at" varchar(24), "total_ms" real, "kill_to_serving_ms" real, "kill_to_redundant_ms" real, "error" text, "version" integer NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "drills_target_requested" ON "drills" ("target", "requested_at")`);
    await queryRunner.query(`CREATE INDEX "drills_requested" ON "drills" ("requested_at", "id")`);
    await queryRunner.query(`CREATE INDEX "drills_rank" ON "drills" ("status", "total_ms", "requested_at", "target")`);
    await queryRunner.query(
      `CREATE TABLE "drill_steps" ("drill_id" varchar(36) NOT NULL, "name" varchar(16) NOT NULL, "requested_at" varchar(24) NOT NULL, "target" varchar(64) NOT NULL, "ordinal" integer NOT NULL, "status" varchar(16) NOT NULL, "started_at" varchar(24), "finished_at" varchar(24), "duration_ms" real, "error" text, PRIMARY KEY ("drill_id", "name"))`,
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
    await queryRunner.query(`DROP TABLE "drill_events"`);
  }
}
