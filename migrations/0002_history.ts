// Version history and attribution (issue 5). Forward-only: never edit after it has shipped.
// section_versions: one row per snapshot (idle, named or restore) with its full Yjs state;
// ydoc_authors: which user wrote which clock range of which Yjs client id in a document.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("section_versions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("code_id", "text", (c) => c.notNull())
    .addColumn("section_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('auto', 'named', 'restore', 'initial')`))
    .addColumn("name", "text")
    .addColumn("restored_from", "uuid", (c) => c.references("section_versions.id"))
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("state", "bytea", (c) => c.notNull())
    .addColumn("content_json", "jsonb", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("words", "integer", (c) => c.notNull())
    .addColumn("words_added", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("words_removed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("author_ids", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addForeignKeyConstraint("section_versions_section", ["code_id", "section_id"], "sections", ["code_id", "id"], (fk) => fk.onDelete("cascade"))
    .execute();
  await db.schema.createIndex("section_versions_by_section").on("section_versions").columns(["code_id", "section_id", "created_at"]).execute();

  await db.schema
    .createTable("ydoc_authors")
    .addColumn("doc_name", "text", (c) => c.notNull())
    .addColumn("client_id", "bigint", (c) => c.notNull())
    .addColumn("clock_from", "integer", (c) => c.notNull())
    .addColumn("clock_to", "integer", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addPrimaryKeyConstraint("ydoc_authors_pk", ["doc_name", "client_id", "clock_from"])
    .execute();
}
