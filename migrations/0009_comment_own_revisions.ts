// Comments carry their own revision instead of bumping their thread's (0006): every reply used
// to update its thread's row, and that row lock, held until the commit, put all replies to one
// thread in single file (measured: 393 → 459 replies/s on one thread without it; docs/decisions.md).
// Now a comment gets a new revision from the same sequence when it is written or changed, and
// a thread's version is its own revision plus its newest comment's, which grows with every
// committed insert or update; a removed comment still touches its thread. The page-change
// notices (0008) that the touched thread row used to send for new and changed comments now come
// from the comments themselves. Forward-only.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger comments_insert_touch on comments`.execute(db);
  await sql`drop trigger comments_update_touch on comments`.execute(db);

  await sql`alter table comments add column revision bigint not null default nextval('comment_revisions')`.execute(db);
  // 0006's function takes the next revision for whichever row it is given.
  await sql`create trigger comments_revision before update on comments for each row execute function codewerf_thread_revision()`.execute(db);
  // A thread's newest comment revision is one probe of this index.
  await db.schema.createIndex("comments_thread_revision_idx").on("comments").columns(["thread_id", "revision"]).execute();

  // Removing a comment (rare: an erased account, a cascade) leaves no newer revision behind, so
  // it still touches its thread (0006's trigger, kept for deletes only), which also sends the
  // thread's page-change notice. Inserts and updates send their own.
  // Per row with a plain lookup (its plan is cached; a statement trigger's query over its
  // transition table is planned anew every time, which cost more); NOTIFY folds the repeats.
  await sql`
    create function codewerf_comment_page_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('codewerf_pages', 's:' || t.code_id || '/' || t.section_id) from comment_threads t where t.id = new.thread_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger comments_page_changed after insert or update on comments for each row execute function codewerf_comment_page_changed()`.execute(db);
}
