// Change notices for the cache of signed-in pages (server/page-cache.ts): after every change to
// what a section page shows besides the document itself, the database sends a NOTIFY on
// `codewerf_pages` naming the scope that changed. PostgreSQL delivers it only once the change
// is committed, to every instance that listens, whoever wrote (a model, a cascade, an
// administrator with psql), so no code path can forget it. Scopes:
//   s:<codeId>/<sectionId>  a section's row, reviewers, comment threads (which every change to
//                           their comments already touches, 0006) and reviews
//   u:<userId>              a person's notifications (the unread count in the header)
//   *                       people, organisations and codes (names and rights shown anywhere)
// The document's own text is checked at every cached answer instead (its version is one cheap
// query), so the collaboration server's writes carry no trigger. Forward-only.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // NOTIFY folds identical notices within one transaction, so a bulk change sends each scope once.
  await sql`
    create function codewerf_page_changed_section() returns trigger language plpgsql as $$
    declare
      r record;
    begin
      r := coalesce(new, old);
      perform pg_notify('codewerf_pages', 's:' || r.code_id || '/' || r.section_id);
      if tg_op = 'UPDATE' and (old.code_id, old.section_id) is distinct from (new.code_id, new.section_id) then
        perform pg_notify('codewerf_pages', 's:' || old.code_id || '/' || old.section_id);
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ["section_reviewers", "comment_threads", "reviews"]) {
    await sql`create trigger ${sql.raw(`${table}_page_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function codewerf_page_changed_section()`.execute(db);
  }

  // Sections name their own id "id".
  await sql`
    create function codewerf_page_changed_sections() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then perform pg_notify('codewerf_pages', 's:' || old.code_id || '/' || old.id); end if;
      if tg_op <> 'DELETE' then perform pg_notify('codewerf_pages', 's:' || new.code_id || '/' || new.id); end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger sections_page_changed after insert or update or delete on sections
    for each row execute function codewerf_page_changed_sections()`.execute(db);

  await sql`
    create function codewerf_page_changed_user() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then perform pg_notify('codewerf_pages', 'u:' || old.user_id); end if;
      if tg_op <> 'DELETE' then perform pg_notify('codewerf_pages', 'u:' || new.user_id); end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger notifications_page_changed after insert or update or delete on notifications
    for each row execute function codewerf_page_changed_user()`.execute(db);

  // Rare, and shown on every page (a display name, a role, an organisation's name): once per statement.
  await sql`
    create function codewerf_page_changed_all() returns trigger language plpgsql as $$
    begin
      perform pg_notify('codewerf_pages', '*');
      return null;
    end $$`.execute(db);
  for (const table of ["users", "organisations", "codes"]) {
    await sql`create trigger ${sql.raw(`${table}_page_changed`)} after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function codewerf_page_changed_all()`.execute(db);
  }
}

