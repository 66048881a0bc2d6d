import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The drill summary gains the failback time, the live probe's figures and the drill's options; PostgreSQL adds them in place. */
export class AddDrillFigures1764200000000 implements MigrationInterface {
  name = 'AddDrillFigures1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "drills" ADD COLUMN "failback_ms" double precision, ADD COLUMN "client_rto_ms" double precision, ADD COLUMN "lost_acked_writes" integer, ADD COLUMN "options" text NOT NULL DEFAULT '{}', ADD COLUMN "probe" text`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "drills" DROP COLUMN "failback_ms", DROP COLUMN "client_rto_ms", DROP COLUMN "lost_acked_writes", DROP COLUMN "options", DROP COLUMN "probe"`,
    );
  }
}
