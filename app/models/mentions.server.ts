// @mentions: a comment mentions a person or an organisation by writing "@" and its name (the
// composer's autocomplete inserts exactly that). The server finds them by name, so the
// comment stays plain text.
import { sql, type Kysely } from "kysely";
import type { Database } from "~/db.server";

type DB = Kysely<Database>;

export interface MentionCandidate {
  kind: "user" | "organisation";
  id: string;
  name: string;
  detail: string;
}

/** People and organisations whose name starts with (or contains a word starting with) `q`. */
export async function mentionCandidates(db: DB, q: string, limit = 8): Promise<MentionCandidate[]> {
  const needle = q.trim().toLowerCase().slice(0, 60);
  const like = `${needle.replace(/[\\%_]/g, "\\$&")}%`;
  const wordLike = `% ${like}`;
  const [orgs, users] = await Promise.all([
    db
      .selectFrom("organisations")
      .select(["id", "name", "kind"])
      .where((eb) => eb.or([eb(sql`lower(name)`, "like", like), eb(sql`lower(name)`, "like", wordLike), eb("id", "like", like)]))
      .orderBy("name")
      .limit(limit)
      .execute(),
    db
      .selectFrom("users")
      .leftJoin("organisations", "organisations.id", "users.organisation_id")
      .select(["users.id", "users.display_name", "organisations.name as org"])
      .where("users.display_name", "<>", "")
      .where("users.suspended_at", "is", null)
      .where((eb) => eb.or([eb(sql`lower(users.display_name)`, "like", like), eb(sql`lower(users.display_name)`, "like", wordLike)]))
      .orderBy("users.display_name")
      .limit(limit)
      .execute(),
  ]);
  return [
    ...users.map((u) => ({ kind: "user" as const, id: u.id, name: u.display_name, detail: u.org ?? "" })),
    ...orgs.map((o) => ({ kind: "organisation" as const, id: o.id, name: o.name, detail: o.kind })),
  ].slice(0, limit);
}

/** The people and organisations a text mentions ("@Lien Claes", "@Awel", "@childfocus"). */
export async function findMentions(db: DB, body: string): Promise<{ userIds: string[]; organisationIds: string[] }> {
  if (!body.includes("@")) return { userIds: [], organisationIds: [] };
  const text = body.toLowerCase();
  // A name counts when "@name" is followed by a non-letter (or the end).
  const { rows } = await sql<{ kind: string; id: string; name: string }>`
    select 'user' as kind, id::text as id, lower(display_name) as name from users
     where display_name <> '' and strpos(${text}, '@' || lower(display_name)) > 0
    union all
    select 'organisation', id, lower(name) from organisations where strpos(${text}, '@' || lower(name)) > 0
    union all
    select 'organisation', id, lower(id) from organisations where strpos(${text}, '@' || lower(id)) > 0`.execute(db);
  const follows = (name: string) => {
    let i = text.indexOf(`@${name}`);
    while (i >= 0) {
      const next = text.charAt(i + name.length + 1);
      if (!next || !/[\p{L}\p{N}]/u.test(next)) return true;
      i = text.indexOf(`@${name}`, i + 1);
    }
    return false;
  };
  const hits = rows.filter((r) => follows(r.name));
  return {
    userIds: [...new Set(hits.filter((r) => r.kind === "user").map((r) => r.id))],
    organisationIds: [...new Set(hits.filter((r) => r.kind === "organisation").map((r) => r.id))],
  };
}
