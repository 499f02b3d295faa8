// Demo data for pledges: creator1 and creator2 signed release 1.0 and confirmed by e-mail.
// Idempotent: one pledge per signer and release (unique), so a second run writes nothing.
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../app/db.server";
import { pledgeText } from "../app/domain/pledges";
import { CODE_ID } from "../app/models/codes";

const SIGNERS = [
  { email: "creator1@codewerf.test", publicName: "Yana Peeters", instagram: "yanapeeters", tiktok: "yana.peeters", youtube: null, twitch: null },
  { email: "creator2@codewerf.test", publicName: "Milan De Smet", instagram: null, tiktok: "milandesmet", youtube: "milandesmet", twitch: "milan_speelt" },
];

export async function seedPledges(db: Kysely<Database>): Promise<void> {
  const release = await db.selectFrom("releases").select(["id", "version", "code_title"]).where("code_id", "=", CODE_ID).where("version", "=", "1.0").executeTakeFirst();
  if (!release) return;
  const hash = createHash("sha256").update(pledgeText(release.code_title, release.version), "utf8").digest("hex");
  for (const s of SIGNERS) {
    const user = await db.selectFrom("users").select("id").where("email", "=", s.email).executeTakeFirst();
    if (!user) continue;
    const { email: _e, publicName, ...handles } = s;
    await db
      .insertInto("pledges")
      .values({ release_id: release.id, user_id: user.id, public_name: publicName, ...handles, text_sha256: hash, email_confirmed_at: new Date(), confirmed_at: new Date() })
      .onConflict((oc) => oc.columns(["user_id", "release_id"]).doNothing())
      .execute();
  }
}
