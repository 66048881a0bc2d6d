import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The drill summary gains the servers and versions the drill found, as JSON; the projection's new version refolds the rows. */
export class AddDrillServers1764420000000 implements MigrationInterface {
  name = 'AddDrillServers1764420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drills" ADD COLUMN "servers" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drills" DROP COLUMN "servers"`);
  }
}
