import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A drill's id: until this migration, the only thing that told a drill's stream from the others. */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** Streams, not drills, and each stream's kind: the SQLite migration of the same name. */
export class StreamKinds1764300000000 implements MigrationInterface {
  name = 'StreamKinds1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "drill_events" RENAME COLUMN "drill_id" TO "stream_id"`);
    await queryRunner.query(
      `CREATE TABLE "event_streams" ("id" varchar(64) COLLATE "C" PRIMARY KEY NOT NULL, "kind" varchar(32) COLLATE "C" NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "event_streams" ("id", "kind")
       SELECT "stream_id", CASE WHEN lower("stream_id") ~ '${UUID_PATTERN}' THEN 'drill' ELSE "stream_id" END
       FROM "drill_events" GROUP BY "stream_id" ORDER BY MIN("position")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "event_streams"`);
    await queryRunner.query(`ALTER TABLE "drill_events" RENAME COLUMN "stream_id" TO "drill_id"`);
  }
}
