import type { MigrationInterface, QueryRunner } from 'typeorm';

const HEX = '[0-9a-f]';
/** A drill's id: until this migration, the only thing that told a drill's stream from the others. */
const UUID_GLOB = [8, 4, 4, 4, 12].map((length) => HEX.repeat(length)).join('-');

/**
 * The log is generic: its rows belong to streams, not drills, and each stream records its kind
 * (`drill`, `schedules`, `safety`) when it begins. Existing streams get theirs from their names:
 * a UUID is a drill's, and the other streams were named after their kind. The renamed column keeps
 * its values, so every hash in the chain still holds.
 */
export class StreamKinds1764300000000 implements MigrationInterface {
  name = 'StreamKinds1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drill_events" RENAME COLUMN "drill_id" TO "stream_id"`);
    await queryRunner.query(`CREATE TABLE "event_streams" ("id" varchar(64) PRIMARY KEY NOT NULL, "kind" varchar(32) NOT NULL)`);
    await queryRunner.query(
      `INSERT INTO "event_streams" ("id", "kind")
       SELECT "stream_id", CASE WHEN lower("stream_id") GLOB '${UUID_GLOB}' THEN 'drill' ELSE "stream_id" END
       FROM "drill_events" GROUP BY "stream_id" ORDER BY MIN("position")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "event_streams"`);
    await queryRunner.query(`ALTER TABLE "drill_events" RENAME COLUMN "stream_id" TO "drill_id"`);
  }
}
