import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedule definitions, kept in the log's database so that they outlive a flushed queue Redis. */
export class CreateSchedules1764100000000 implements MigrationInterface {
  name = 'CreateSchedules1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedules" ("id" varchar(36) COLLATE "C" PRIMARY KEY NOT NULL, "name" varchar(100) COLLATE "C" NOT NULL, "cron" varchar(100), "every_ms" integer, "tz" varchar(64) NOT NULL, "target" varchar(64) COLLATE "C" NOT NULL, "scenario" varchar(32) COLLATE "C" NOT NULL, "options" text NOT NULL, "enabled" boolean NOT NULL, "created_at" varchar(24) COLLATE "C" NOT NULL, "updated_at" varchar(24) COLLATE "C" NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "schedules_name" ON "schedules" ("name")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "schedules"`);
  }
}
