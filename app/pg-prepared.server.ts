// Server-side prepared statements for the statements this process runs again and again.
//
// Kysely hands `pg` every query as text with parameters, which `pg` sends as an unnamed
// statement: PostgreSQL parses, analyses and plans it anew every time. For the hot writes that
// was a third of the database's CPU (bench/README.md, session 7: planning the reply statement
// took 0.58 ms of its 2 ms, the session lookup 0.3 ms of 0.37 ms). A named statement is parsed
// once per connection and, once PostgreSQL has seen that a generic plan is as good as the custom
// ones (after five executions), no longer planned either.
//
// As pgjdbc does (`prepareThreshold`, `preparedStatementCacheQueries`): a text is prepared from
// its second execution in this process on, and each connection keeps at most
// MAX_PER_CONNECTION of them; everything else stays unnamed. Texts are the SQL Kysely compiled,
// so a statement that differs only in its values is one text. Not for a pooler in transaction
// mode (pgbouncer before 1.21), which would route a named statement to another server
// connection: `DATABASE_PREPARE=off` turns this off.
//
// A statement whose best plan depends on its values (a search for a part of a word: the
// selectivity of `like '%…%'` is only known from the pattern) carries CUSTOM_PLAN in its text
// and is never named: a generic plan for the registry search walked 100,000 pledges in date
// order (80 ms) where the plan for the actual pattern takes 5 ms, and PostgreSQL chose the
// generic one in some runs, after a different ANALYZE sample (bench/README.md, session 8).
import { sql } from "kysely";
import type pg from "pg";

/** In a statement's text (a comment, so it changes nothing else): never prepared. */
export const CUSTOM_PLAN = sql.raw("/* custom-plan */");
const CUSTOM_PLAN_TEXT = "/* custom-plan */";

const PREPARE_FROM_EXECUTION = 2;
const MAX_PER_CONNECTION = 256;
/** Distinct texts remembered with their counts and names; forgotten all at once past this. */
const MAX_TEXTS = 5000;

interface Seen {
  count: number;
  name: string;
}
const seen = new Map<string, Seen>();
let nextName = 0;

type Query = (...args: unknown[]) => unknown;
const patched = new WeakSet<object>();

/** The name to prepare `text` under on this connection, or undefined to send it unnamed. */
function nameFor(text: string, prepared: Record<string, string>, broken: Set<string>): string | undefined {
  if (text.includes(CUSTOM_PLAN_TEXT)) return undefined;
  let s = seen.get(text);
  if (!s) {
    if (seen.size >= MAX_TEXTS) seen.clear();
    s = { count: 0, name: `cw${(nextName++).toString(36)}` };
    seen.set(text, s);
  }
  s.count++;
  if (broken.has(s.name)) return undefined;
  if (prepared[s.name] !== undefined) return s.name;
  // Counted from what the connection holds (a statement that failed to parse holds nothing).
  if (s.count < PREPARE_FROM_EXECUTION || Object.keys(prepared).length >= MAX_PER_CONNECTION) return undefined;
  return s.name;
}

/** Makes every connection `pool` opens prepare the texts it runs repeatedly. */
export function prepareRepeatedStatements(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    if (patched.has(client)) return;
    patched.add(client);
    const original = client.query.bind(client) as Query;
    const connection = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection;
    const broken = new Set<string>();
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const [text, values, callback] = args;
      // Kysely's form: (text, values). Anything else (a config object, a cursor) goes as it is.
      if (typeof text !== "string" || !Array.isArray(values) || callback !== undefined) return original(...args);
      const name = nameFor(text, connection.parsedStatements, broken);
      if (!name) return original(text, values);
      return (original({ name, text, values }) as Promise<unknown>).catch((err: { code?: string; routine?: string }) => {
        // A table changed under a prepared statement in a way PostgreSQL cannot plan it for again
        // (`select *` after a column was added): on this connection the text goes unnamed from
        // now on (the failed statement may be inside a transaction, where nothing else can run).
        if (err?.code === "0A000" && err.routine === "RevalidateCachedQuery") broken.add(name);
        throw err;
      });
    };
  });
}
