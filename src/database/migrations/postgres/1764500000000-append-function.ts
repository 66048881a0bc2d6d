import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An append in one statement: `append_drill_events` locks the log, checks the stream's expected
 * sequence and kind, chains the events to the head, inserts them and raises the high-water mark,
 * so that the log's lock is held across one round trip instead of six. PostgreSQL only: SQLite's
 * appends are calls within the process.
 *
 * The hash is `eventHash` (`events/event-hash.ts`) written in SQL: SHA-256 over the JSON array of
 * the previous hash and every stored field, with no spaces, as `JSON.stringify` writes it.
 * `to_json` escapes a string as `JSON.stringify` does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
 * any other control character as `\u00xx`); integers print alike. The verifier recomputes every
 * hash in TypeScript, so a difference would show as a broken chain.
 *
 * Each statement of a PL/pgSQL function that is not `STABLE` reads a fresh snapshot, so what is
 * read after the lock is what the appends before it committed. The function returns the stream's
 * sequence and kind it found and, when it appended, the first position and the hashes; when the
 * sequence or the kind does not fit it appends nothing, and the caller says why.
 */
export class AppendFunction1764500000000 implements MigrationInterface {
  name = 'AppendFunction1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "append_drill_events"(p_stream text, p_expected integer, p_kind text, p_types text[], p_versions integer[], p_data text[], p_actors text[], p_occurred_at text)
       RETURNS TABLE ("found_sequence" integer, "found_kind" text, "first_position" integer, "hashes" text[])
       LANGUAGE plpgsql VOLATILE AS $$
       DECLARE
         v_sequence integer;
         v_kind text;
         v_position integer;
         v_hash text;
         v_hashes text[] := '{}';
         v_count integer := COALESCE(array_length(p_types, 1), 0);
       BEGIN
         PERFORM 1 FROM "log_high_water" FOR UPDATE;
         SELECT COALESCE(MAX("sequence"), 0) INTO v_sequence FROM "drill_events" WHERE "stream_id" = p_stream;
         SELECT "kind" INTO v_kind FROM "event_streams" WHERE "id" = p_stream;
         IF (p_expected IS NOT NULL AND v_sequence <> p_expected) OR COALESCE(v_kind, p_kind) IS NULL OR v_kind <> p_kind THEN
           RETURN QUERY SELECT v_sequence, v_kind::text, NULL::integer, NULL::text[];
           RETURN;
         END IF;
         IF v_kind IS NULL THEN
           INSERT INTO "event_streams" ("id", "kind") VALUES (p_stream, p_kind);
         END IF;
         SELECT "position", "hash" INTO v_position, v_hash FROM "drill_events" ORDER BY "position" DESC LIMIT 1;
         v_position := COALESCE(v_position, 0);
         v_hash := COALESCE(v_hash, repeat('0', 64));
         FOR i IN 1 .. v_count LOOP
           v_hash := encode(sha256(convert_to(
             '[' || to_json(v_hash)::text || ',' || (v_position + i) || ',' || to_json(p_stream)::text || ',' || (v_sequence + i)
               || ',' || to_json(p_types[i])::text || ',' || p_versions[i] || ',' || to_json(p_data[i])::text
               || ',' || to_json(p_actors[i])::text || ',' || to_json(p_occurred_at)::text || ']',
             'UTF8')), 'hex');
           v_hashes := v_hashes || v_hash;
         END LOOP;
         IF v_count > 0 THEN
           INSERT INTO "drill_events" ("position", "stream_id", "sequence", "type", "schema_version", "data", "actor", "occurred_at", "hash")
             SELECT v_position + n, p_stream, v_sequence + n, p_types[n], p_versions[n], p_data[n], p_actors[n], p_occurred_at, v_hashes[n]
             FROM generate_series(1, v_count) AS n;
           UPDATE "log_high_water" SET "position" = v_position + v_count;
         END IF;
         RETURN QUERY SELECT v_sequence, COALESCE(v_kind, p_kind)::text, v_position + 1, v_hashes;
       END $$`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "append_drill_events"(text, integer, text, text[], integer[], text[], text[], text)`);
  }
}
