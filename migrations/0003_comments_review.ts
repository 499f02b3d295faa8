// Comment threads, mentions, notifications and expert review (issue 6). Forward-only: never edit after it has shipped.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("comment_threads")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("code_id", "text", (c) => c.notNull())
    .addColumn("section_id", "text", (c) => c.notNull())
    // Yjs relative positions (Y.encodeRelativePosition, base64); null for section-level threads.
    .addColumn("anchor_start", "text")
    .addColumn("anchor_end", "text")
    .addColumn("quote", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("comment").check(sql`kind in ('comment', 'changes_requested')`))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'resolved')`))
    .addColumn("resolved_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("resolved_at", "timestamptz")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint("comment_threads_section", ["code_id", "section_id"], "sections", ["code_id", "id"], (c) => c.onDelete("cascade"))
    .execute();
  await db.schema.createIndex("comment_threads_section_idx").on("comment_threads").columns(["code_id", "section_id", "created_at"]).execute();

  await db.schema
    .createTable("comments")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("comment_threads.id").onDelete("cascade"))
    .addColumn("author_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("edited_at", "timestamptz")
    .addColumn("deleted_at", "timestamptz")
    .addColumn("hidden_at", "timestamptz")
    .addColumn("hidden_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("hidden_reason", "text")
    .execute();
  await db.schema.createIndex("comments_thread_idx").on("comments").columns(["thread_id", "created_at"]).execute();

  await db.schema
    .createTable("comment_mentions")
    .addColumn("comment_id", "uuid", (c) => c.notNull().references("comments.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("organisation_id", "text", (c) => c.references("organisations.id").onDelete("cascade"))
    .addCheckConstraint("comment_mentions_target", sql`(user_id is null) <> (organisation_id is null)`)
    .execute();
  await db.schema.createIndex("comment_mentions_comment_idx").on("comment_mentions").column("comment_id").execute();

  // One row per verdict; the newest row per (section, organisation) is the current one.
  await db.schema
    .createTable("reviews")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("code_id", "text", (c) => c.notNull())
    .addColumn("section_id", "text", (c) => c.notNull())
    .addColumn("organisation_id", "text", (c) => c.notNull().references("organisations.id"))
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('approved', 'changes_requested')`))
    .addColumn("user_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // sha256 of the section's content (ProseMirror JSON) at the verdict, and its plain text.
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("content_text", "text", (c) => c.notNull())
    // Set when the text changed after the verdict (from the section.changed event).
    .addColumn("stale_at", "timestamptz")
    .addColumn("thread_id", "uuid", (c) => c.references("comment_threads.id").onDelete("set null"))
    .addForeignKeyConstraint("reviews_section", ["code_id", "section_id"], "sections", ["code_id", "id"], (c) => c.onDelete("cascade"))
    .execute();
  await db.schema.createIndex("reviews_current_idx").on("reviews").columns(["code_id", "section_id", "organisation_id", "id"]).execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('mention', 'reply', 'review_request', 'release')`))
    .addColumn("actor_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("code_id", "text")
    .addColumn("section_id", "text")
    .addColumn("thread_id", "uuid", (c) => c.references("comment_threads.id").onDelete("cascade"))
    .addColumn("comment_id", "uuid", (c) => c.references("comments.id").onDelete("cascade"))
    .addColumn("data", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("read_at", "timestamptz")
    .addColumn("emailed_at", "timestamptz")
    .execute();
  await db.schema.createIndex("notifications_user_idx").on("notifications").columns(["user_id", "id"]).execute();
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`.execute(db);

  await db.schema
    .createTable("mail_preferences")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("digest", "boolean", (c) => c.notNull().defaultTo(false))
    // Random token for the unsubscribe link in every e-mail (no sign-in needed).
    .addColumn("unsubscribe_token", "text", (c) => c.notNull().unique())
    .addColumn("last_digest_at", "timestamptz")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
