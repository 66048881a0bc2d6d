import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The drill summary gains the servers and versions the drill found (its `ServersIdentified`
 * event), as JSON. A nullable column is added in place; the projection's new version refolds the
 * existing rows at the next boot, which fills it for drills that recorded the event.
 */
export class AddDrillServers1764420000000 implements MigrationInterface {
  name = 'AddDrillServers1764420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drills" ADD COLUMN "servers" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drills" DROP COLUMN "servers"`);
  }
}
