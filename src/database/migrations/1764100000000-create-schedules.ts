import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedule definitions, kept in SQLite so that they outlive a flushed queue Redis. */
export class CreateSchedules1764100000000 implements MigrationInterface {
  name = 'CreateSchedules1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedules" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "cron" varchar(100), "every_ms" integer, "tz" varchar(64) NOT NULL, "target" varchar(64) NOT NULL, "scenario" varchar(32) NOT NULL, "options" text NOT NULL, "enabled" boolean NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "schedules_name" ON "schedules" ("name")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "schedules"`);
  }
}
