import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDrillEvents1764000000000 implements MigrationInterface {
  name = 'CreateDrillEvents1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "drill_events" (
        "position" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        "drill_id" VARCHAR(36) NOT NULL,
        "sequence" INTEGER NOT NULL,
        "type" VARCHAR(64) NOT NULL,
        "data" TEXT NOT NULL,
        "occurred_at" VARCHAR(24) NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "drill_events_stream" ON "drill_events" ("drill_id", "sequence")`);
    // The log is append-only: the database itself refuses edits and deletions.
    await queryRunner.query(`
      CREATE TRIGGER "drill_events_no_update" BEFORE UPDATE ON "drill_events"
      BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END`);
    await queryRunner.query(`
      CREATE TRIGGER "drill_events_no_delete" BEFORE DELETE ON "drill_events"
      BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "drill_events"`);
  }
}
