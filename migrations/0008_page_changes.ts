// Change notices for the cache of signed-in pages (server/page-cache.ts): after every change to
// what a section page shows besides the document itself, the database sends a NOTIFY on
// `codewerf_pages` naming the scope that changed. PostgreSQL delivers it only once the change
// is committed, to every instance that listens, whoever wrote (a model, a cascade, an
// administrator with psql), so no code path can forget it. Scopes:
//   s:<codeId>/<sectionId>  a section's row, reviewers, comment threads, their comments (0006 had
//                           them touch their thread; since 0009 they send their own) and reviews
//   u:<userId>              a person's notifications (the unread count in the header)
//   *                       people, organisations and codes (names and rights shown anywhere)
// The document's own text is checked at every cached answer instead (its version is one cheap
// query), so the collaboration server's writes carry no trigger. Forward-only.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // One function for every row-level trigger. Its arguments: the scope's prefix, then the one or
  // two columns that name it. An update sends the old and the new scope (NOTIFY folds identical
  // notices within one transaction, so usually one).
  await sql`
    create function codewerf_page_changed() returns trigger language plpgsql as $$
    declare
      r jsonb;
    begin
      foreach r in array array_remove(array[
          case when tg_op <> 'INSERT' then to_jsonb(old) end,
          case when tg_op <> 'DELETE' then to_jsonb(new) end], null) loop
        perform pg_notify('codewerf_pages', tg_argv[0] || concat_ws('/', r ->> tg_argv[1], r ->> tg_argv[2]));
      end loop;
      return null;
    end $$`.execute(db);
  const scoped: [table: string, prefix: string, ...columns: string[]][] = [
    ["sections", "s:", "code_id", "id"],
    ["section_reviewers", "s:", "code_id", "section_id"],
    ["comment_threads", "s:", "code_id", "section_id"],
    ["reviews", "s:", "code_id", "section_id"],
    ["notifications", "u:", "user_id"],
  ];
  for (const [table, ...args] of scoped) {
    await sql`create trigger ${sql.raw(`${table}_page_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function codewerf_page_changed(${sql.raw(args.map((a) => `'${a}'`).join(", "))})`.execute(db);
  }

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

