// The registry's search (issue 8): a trigram index over the public name and the handles of
// active pledges, so "contains" searches read the index instead of every pledge. Forward-only:
// never edit after it has shipped. PGlite loads pg_trgm at open (openPGlite in app/db.server.ts).
import { sql, type Kysely } from "kysely";

// Must stay identical to REGISTRY_SEARCH_TEXT in app/models/pledges.server.ts. Handles are
// stored lowercase; a newline separates the parts (the search strips control characters, so a
// match never spans two of them).
const searchText = sql.raw(
  "(lower(public_name) || E'\\n' || coalesce(instagram, '') || E'\\n' || coalesce(tiktok, '') || E'\\n' || coalesce(youtube, '') || E'\\n' || coalesce(twitch, ''))",
);

export async function up(db: Kysely<any>): Promise<void> {
  // A trusted extension: the database owner may create it without superuser rights.
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index pledges_registry_search on pledges using gin (${searchText} gin_trgm_ops) where confirmed_at is not null and withdrawn_at is null`.execute(db);
  // The planner uses no statistics of a partial index's expression, and without them it
  // misjudges how many pledges a search matches in both directions (reading 100,000 rows
  // through the trigram index for a term in every name, or walking the whole registry for a
  // rare one). With these, a common term walks the newest-first index and stops after a page;
  // a rare one reads the trigram index.
  await sql`create statistics pledges_registry_search_stats on (${searchText}) from pledges`.execute(db);
}
