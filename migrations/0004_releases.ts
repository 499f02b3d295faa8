// Published, immutable releases (issue 7). Forward-only: never edit after it has shipped.
// The core columns here are the contract the pledge work (0005) builds on: releases(id,
// code_id, version, major, minor, …) and release_sections(release_id, section_id, …).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("releases")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("code_id", "text", (c) => c.notNull().references("codes.id"))
    .addColumn("major", "integer", (c) => c.notNull().check(sql`major >= 0`))
    .addColumn("minor", "integer", (c) => c.notNull().check(sql`minor >= 0`))
    .addColumn("version", "text", (c) => c.notNull().generatedAlwaysAs(sql`major::text || '.' || minor::text`).stored())
    // The code's title at publication: a release reads the same even if the code is renamed.
    .addColumn("code_title", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("notes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("published_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("published_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // Overridden unready sections [{sectionId, reason}] and every review state at publication.
    .addColumn("overrides", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("review_states", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addUniqueConstraint("releases_code_version", ["code_id", "major", "minor"])
    .execute();

  await db.schema
    .createTable("release_sections")
    .addColumn("release_id", "uuid", (c) => c.notNull().references("releases.id"))
    .addColumn("section_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("content_json", "jsonb", (c) => c.notNull())
    .addColumn("html", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("why_changed", "text", (c) => c.notNull().defaultTo(""))
    .addPrimaryKeyConstraint("release_sections_pk", ["release_id", "section_id"])
    .execute();

  // Published rows are immutable: the database itself refuses UPDATE and DELETE. The one
  // exception is the foreign key's own ON DELETE SET NULL when the publisher's account is
  // deleted: an UPDATE that only clears published_by, so deleting a person stays possible.
  await sql`
    create function codewerf_release_immutable() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and tg_table_name = 'releases' then
        -- (a BEFORE trigger sees generated columns as null: version follows from major.minor)
        if to_jsonb(new) -> 'published_by' = 'null'::jsonb
           and (to_jsonb(new) - 'published_by' - 'version') = (to_jsonb(old) - 'published_by' - 'version') then
          return new;
        end if;
      end if;
      raise exception 'published releases are immutable (% on %)', tg_op, tg_table_name using errcode = 'restrict_violation';
    end $$`.execute(db);
  for (const table of ["releases", "release_sections"]) {
    await sql`create trigger ${sql.id(`${table}_immutable`)} before update or delete on ${sql.table(table)} for each row execute function codewerf_release_immutable()`.execute(db);
  }
}
