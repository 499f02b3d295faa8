// Pledges to a release (issue 8). Forward-only: never edit after it has shipped.
// A pledge is public once it is confirmed (by the signer, and by a guardian for under-13s)
// and not withdrawn; the registry reads that through one partial index.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Account erasure keeps the row (edits and comments point at it) without name or e-mail.
  await db.schema.alterTable("users").addColumn("deleted_at", "timestamptz").execute();

  // Pledge confirmations reuse the single-use tokens table.
  await sql`alter table tokens drop constraint tokens_kind_check`.execute(db);
  await sql`alter table tokens add constraint tokens_kind_check check (kind in ('confirm_email', 'invite', 'password_reset', 'pledge_confirm', 'pledge_guardian'))`.execute(db);

  await db.schema
    .createTable("pledges")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("release_id", "uuid", (c) => c.notNull().references("releases.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("public_name", "text", (c) => c.notNull().check(sql`length(public_name) between 1 and 80`))
    .addColumn("instagram", "text")
    .addColumn("tiktok", "text")
    .addColumn("youtube", "text")
    .addColumn("twitch", "text")
    // sha256 (hex) of the exact pledge text shown when signing.
    .addColumn("text_sha256", "text", (c) => c.notNull().check(sql`text_sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn("signed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("under_13", "boolean", (c) => c.notNull().defaultTo(false))
    // Only while the guardian has not confirmed yet; cleared afterwards (data minimisation).
    .addColumn("guardian_email", "text")
    .addColumn("confirm_token_id", "text")
    .addColumn("guardian_token_id", "text")
    .addColumn("email_confirmed_at", "timestamptz")
    .addColumn("guardian_confirmed_at", "timestamptz")
    // Set when every required confirmation is in: from then on the pledge is public.
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("withdrawn_at", "timestamptz")
    .addColumn("withdraw_reason", "text", (c) => c.check(sql`length(withdraw_reason) <= 500`))
    .addUniqueConstraint("pledges_user_release", ["user_id", "release_id"])
    .addCheckConstraint("pledges_guardian", sql`not under_13 or guardian_email is not null or guardian_confirmed_at is not null`)
    .execute();

  await sql`create index pledges_registry on pledges (signed_at desc, id desc) where confirmed_at is not null and withdrawn_at is null`.execute(db);
  await sql`create index pledges_registry_release on pledges (release_id) where confirmed_at is not null and withdrawn_at is null`.execute(db);
  await sql`create unique index pledges_confirm_token on pledges (confirm_token_id) where confirm_token_id is not null`.execute(db);
  await sql`create unique index pledges_guardian_token on pledges (guardian_token_id) where guardian_token_id is not null`.execute(db);
}
