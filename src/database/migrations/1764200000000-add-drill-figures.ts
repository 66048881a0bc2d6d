import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The drill summary gains the failback time, the live probe's figures and the drill's options.
 * SQLite cannot add a NOT NULL column to a table in place the way TypeORM declares it, so the
 * table is rebuilt; its rows are a projection and are rebuilt from the events at the next boot.
 */
export class AddDrillFigures1764200000000 implements MigrationInterface {
  name = 'AddDrillFigures1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "drills_rank"`);
    await queryRunner.query(`DROP INDEX "drills_requested"`);
    await queryRunner.query(`DROP INDEX "drills_target_requested"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_drills" ("id" varchar(36) PRIMARY KEY NOT NULL, "scenario" varchar(32) NOT NULL, "target" varchar(64) NOT NULL, "trigger" varchar(16) NOT NULL, "schedule_id" varchar(36), "actor" varchar(128) NOT NULL, "status" varchar(16) NOT NULL, "requested_at" varchar(24) NOT NULL, "started_at" varchar(24), "finished_at" varchar(24), "total_ms" real, "kill_to_serving_ms" real, "kill_to_redundant_ms" real, "error" text, "version" integer NOT NULL, "failback_ms" real, "client_rto_ms" real, "lost_acked_writes" integer, "options" text NOT NULL DEFAULT ('{}'), "probe" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_drills"("id", "scenario", "target", "trigger", "schedule_id", "actor", "status", "requested_at", "started_at", "finished_at", "total_ms", "kill_to_serving_ms", "kill_to_redundant_ms", "error", "version") SELECT "id", "scenario", "target", "trigger", "schedule_id", "actor", "status", "requested_at", "started_at", "finished_at", "total_ms", "kill_to_serving_ms", "kill_to_redundant_ms", "error", "version" FROM "drills"`,
    );
    await queryRunner.query(`DROP TABLE "drills"`);
    await queryRunner.query(`ALTER TABLE "temporary_drills" RENAME TO "drills"`);
    await queryRunner.query(`CREATE INDEX "drills_rank" ON "drills" ("status", "total_ms", "requested_at", "target")`);
    await queryRunner.query(`CREATE INDEX "drills_requested" ON "drills" ("requested_at", "id")`);
    await queryRunner.query(`CREATE INDEX "drills_target_requested" ON "drills" ("target", "requested_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['failback_ms', 'client_rto_ms', 'lost_acked_writes', 'options', 'probe']) {
      await queryRunner.query(`ALTER TABLE "drills" DROP COLUMN "${column}"`);
    }
  }
}
