// Demo data for the version history: each section's seeded text is its "Startversie", so the
// first real version shows a meaningful word-count change. Idempotent: only sections without
// any version get one.
import type { Kysely } from "kysely";
import type { Database } from "../app/db.server";
import { recordVersion } from "../app/models/history.server";

export async function seedHistory(db: Kysely<Database>, codeId: string): Promise<void> {
  const sections = await db
    .selectFrom("sections as s")
    .select("s.id")
    .where("s.code_id", "=", codeId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("section_versions as v").select("v.id").whereRef("v.code_id", "=", "s.code_id").whereRef("v.section_id", "=", "s.id"))))
    .execute();
  for (const s of sections) await recordVersion(db, codeId, s.id, { kind: "initial" });
}
