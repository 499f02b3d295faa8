// A statement may send its page-change notices (0008, 0009) itself, after its commit, instead of
// having its rows' triggers send them inside the transaction. PostgreSQL serialises the commits
// of all transactions that NOTIFY behind one lock, held until the commit is flushed to disk, so
// every reply waited for every other reply's WAL flush: the lock was the most frequent wait
// under load, and replies went from 297 to 417 per second without it (docs/decisions.md, "Notices
// after the commit"). A statement opts out by setting `codewerf.page_notices` to 'after-commit'
// for its transaction (app/models/page-notices.server.ts); every other write, whoever makes it,
// still sends its notices from the triggers. Forward-only.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function codewerf_page_changed() returns trigger language plpgsql as $$
    declare
      r jsonb;
    begin
      if current_setting('codewerf.page_notices', true) = 'after-commit' then
        return null;
      end if;
      foreach r in array array_remove(array[
          case when tg_op <> 'INSERT' then to_jsonb(old) end,
          case when tg_op <> 'DELETE' then to_jsonb(new) end], null) loop
        perform pg_notify('codewerf_pages', tg_argv[0] || concat_ws('/', r ->> tg_argv[1], r ->> tg_argv[2]));
      end loop;
      return null;
    end $$`.execute(db);
  await sql`
    create or replace function codewerf_comment_page_changed() returns trigger language plpgsql as $$
    begin
      if current_setting('codewerf.page_notices', true) = 'after-commit' then
        return null;
      end if;
      perform pg_notify('codewerf_pages', 's:' || t.code_id || '/' || t.section_id) from comment_threads t where t.id = new.thread_id;
      return null;
    end $$`.execute(db);
}
