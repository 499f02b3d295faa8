// A revision per comment thread, bumped by the database on every change to the thread or to
// any of its comments (whoever writes: the comments model, account erasure's sweep, a cascade),
// so a section's comment data can be cached and checked with one small query. Plus an index
// for "who wrote in this thread" (the reply notifications). Forward-only.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence comment_revisions`.execute(db);
  await sql`alter table comment_threads add column revision bigint not null default nextval('comment_revisions')`.execute(db);

  await sql`
    create function codewerf_thread_revision() returns trigger language plpgsql as $$
    begin
      new.revision := nextval('comment_revisions');
      return new;
    end $$`.execute(db);
  await sql`create trigger comment_threads_revision before update on comment_threads for each row execute function codewerf_thread_revision()`.execute(db);

  // Once per statement (transition tables), so a bulk change updates each thread once. A new
  // comment is also the thread's latest activity (updated_at); other changes only bump it.
  await sql`
    create function codewerf_comments_touch_threads() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        update comment_threads set updated_at = now() where id in (select thread_id from new_rows);
      elsif tg_op = 'UPDATE' then
        update comment_threads set revision = revision where id in (select thread_id from new_rows union select thread_id from old_rows);
      else
        update comment_threads set revision = revision where id in (select thread_id from old_rows);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger comments_insert_touch after insert on comments referencing new table as new_rows for each statement execute function codewerf_comments_touch_threads()`.execute(db);
  await sql`create trigger comments_update_touch after update on comments referencing old table as old_rows new table as new_rows for each statement execute function codewerf_comments_touch_threads()`.execute(db);
  await sql`create trigger comments_delete_touch after delete on comments referencing old table as old_rows for each statement execute function codewerf_comments_touch_threads()`.execute(db);

  await db.schema.createIndex("comments_thread_author_idx").on("comments").columns(["thread_id", "author_id"]).execute();
}
