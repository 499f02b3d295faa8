// GDPR for one person: export everything stored about them as JSON, and erase their account.
// Erasure keeps the user row (comments and edits point at it) without name or e-mail, deletes
// pledges, sessions, tokens and mail to them, and scrubs their name and address elsewhere.
import { sql, type Kysely } from "kysely";
import type { Database } from "~/db.server";
import { AppError } from "~/domain/errors";
import { recordEvent } from "./audit.server";
import { forgetBadge } from "./pledges.server";

type DB = Kysely<Database>;

/** Tables whose rows say what they are about through a foreign key to users(id). */
async function userForeignKeys(db: DB): Promise<{ table: string; column: string }[]> {
  const { rows } = await sql<{ table: string; column: string }>`
    select kcu.table_name as "table", kcu.column_name as "column"
    from information_schema.table_constraints tc
    join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
    join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
    where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema() and ccu.table_name = 'users' and ccu.column_name = 'id'
    order by 1, 2`.execute(db);
  return rows;
}

const SECRET_COLUMNS = new Set(["password_hash", "id_hash", "confirm_token_id", "guardian_token_id"]);

function withoutSecrets(row: Record<string, unknown>, table: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (SECRET_COLUMNS.has(k)) continue;
    // Session and token ids are HMACs of secrets; they say nothing and are left out.
    if ((table === "sessions" || table === "tokens") && k === "id") continue;
    out[k] = v instanceof Uint8Array ? `(${v.byteLength} bytes)` : v;
  }
  return out;
}

/**
 * Everything stored about `userId`: the user row (without password hash), and every row of
 * every table that points at them (pledges, sessions, comments, reviews, … whichever tables
 * exist), the audit events by or about them, their edits and the mail sent to them.
 */
export async function exportMyData(db: DB, userId: string) {
  const user = await db.selectFrom("users").selectAll().where("id", "=", userId).where("deleted_at", "is", null).executeTakeFirst();
  if (!user) throw new AppError("NOT_FOUND", "errors.notFound");
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const fk of await userForeignKeys(db)) {
    if (fk.table === "audit_events") continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(fk.table)} where ${sql.ref(fk.column)} = ${userId}`.execute(db);
    if (rows.length) tables[fk.table] = [...(tables[fk.table] ?? []), ...rows.map((r) => withoutSecrets(r, fk.table))];
  }
  const pledgeIds = (tables.pledges ?? []).map((p) => String(p.id));
  const audit = await db
    .selectFrom("audit_events")
    .selectAll()
    .where((eb) => eb.or([eb("actor_id", "=", userId), eb("subject_id", "=", userId), ...(pledgeIds.length ? [eb("subject_id", "in", pledgeIds)] : [])]))
    .orderBy("id")
    .execute();
  const edits = await db
    .selectFrom("ydoc_updates")
    .select(["id", "doc_name", "created_at"])
    .where(sql<boolean>`user_ids @> ${JSON.stringify([userId])}::jsonb`)
    .orderBy("id")
    .execute();
  const mail = await db
    .selectFrom("outbox")
    .select(["id", "subject", "created_at", "sent_at"])
    .where((eb) => eb(eb.fn("lower", ["to_address"]), "=", user.email.toLowerCase()))
    .orderBy("id")
    .execute();
  return {
    exportedAt: new Date().toISOString(),
    user: withoutSecrets(user as unknown as Record<string, unknown>, "users"),
    pledges: tables.pledges ?? [],
    comments: tables.comments ?? [],
    reviews: tables.reviews ?? tables.section_reviews ?? [],
    tables,
    auditEvents: audit,
    edits,
    mail,
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Tables whose rows are frozen public documents (refuse UPDATE) or handled by name below. */
const SWEEP_SKIP = new Set(["users", "releases", "release_sections", "kysely_migration", "kysely_migration_lock"]);

/**
 * Erases an account. Afterwards no row holds the person's e-mail address or name: the user
 * row keeps its id (so comments show "verwijderde gebruiker" and edits stay in the text) with
 * an empty name and an address that cannot receive mail.
 */
export async function eraseAccount(db: DB, userId: string): Promise<void> {
  const pledgeIds = await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom("users").select(["email", "display_name"]).where("id", "=", userId).where("deleted_at", "is", null).forUpdate().executeTakeFirst();
    if (!user) throw new AppError("NOT_FOUND", "errors.notFound");
    const needles = [user.email, ...(user.display_name.trim().length >= 3 ? [user.display_name.trim()] : [])];
    const pledges = await trx.deleteFrom("pledges").where("user_id", "=", userId).returning("id").execute();
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    await trx.deleteFrom("tokens").where("user_id", "=", userId).execute();
    await trx
      .updateTable("users")
      .set({ email: `deleted-${userId}@deleted.invalid`, display_name: "", password_hash: null, email_confirmed_at: null, deleted_at: new Date(), updated_at: new Date() })
      .where("id", "=", userId)
      .execute();

    const pattern = needles.map(escapeRegex).join("|");
    // Mail to them or about them (a guardian's mail names the child) goes entirely.
    await trx
      .deleteFrom("outbox")
      .where((eb) => eb.or([eb(eb.fn("lower", ["to_address"]), "=", user.email.toLowerCase()), sql<boolean>`to_address ~* ${pattern}`, sql<boolean>`subject ~* ${pattern}`, sql<boolean>`text_body ~* ${pattern}`]))
      .execute();
    // Audit rows stay (who did what, by id); data that names them is emptied.
    await trx.updateTable("audit_events").set({ data: "{}" }).where(sql<boolean>`data::text ~* ${pattern}`).execute();

    // Anything else (comment bodies, notifications, tables added later): cut the strings out.
    const { rows: columns } = await sql<{ table: string; column: string; type: string }>`
      select c.table_name as "table", c.column_name as "column", c.data_type as "type"
      from information_schema.columns c join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying', 'jsonb', 'json')
        and c.is_generated = 'NEVER'`.execute(trx);
    for (const c of columns) {
      if (SWEEP_SKIP.has(c.table) || c.table === "outbox" || c.table === "audit_events") continue;
      const col = sql.ref(c.column);
      if (c.type === "jsonb" || c.type === "json") {
        const jsonPattern = needles.map((n) => escapeRegex(JSON.stringify(n).slice(1, -1))).join("|");
        await sql`update ${sql.table(c.table)} set ${col} = regexp_replace(${col}::text, ${jsonPattern}, '', 'gi')::${sql.raw(c.type)} where ${col}::text ~* ${jsonPattern}`.execute(trx);
      } else {
        await sql`update ${sql.table(c.table)} set ${col} = regexp_replace(${col}, ${pattern}, '', 'gi') where ${col} ~* ${pattern}`.execute(trx);
      }
    }
    await recordEvent(trx, { actorId: userId, action: "user.erased", subjectType: "user", subjectId: userId });
    return pledges.map((p) => p.id);
  });
  for (const id of pledgeIds) forgetBadge(id);
}
