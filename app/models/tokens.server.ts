// Single-use, expiring tokens sent by e-mail (confirm address, accept invite, reset password).
import { sql, type Kysely } from "kysely";
import { newToken, tokenId } from "~/crypto.server";
import type { Database, TokenKind } from "~/db.server";
import { AppError } from "~/domain/errors";

export const TOKEN_TTL_MS: Record<TokenKind, number> = {
  confirm_email: 48 * 3600 * 1000,
  invite: 7 * 24 * 3600 * 1000,
  password_reset: 3600 * 1000,
  pledge_confirm: 48 * 3600 * 1000,
  pledge_guardian: 48 * 3600 * 1000,
};

export async function issueToken(db: Kysely<Database>, kind: TokenKind, userId: string): Promise<string> {
  const token = newToken();
  await db
    .insertInto("tokens")
    .values({ id: tokenId(token), kind, user_id: userId, expires_at: new Date(Date.now() + TOKEN_TTL_MS[kind]) })
    .execute();
  return token;
}

/** Marks the token used (once, atomically) and returns its user; explains why when it cannot. */
export async function consumeToken(db: Kysely<Database>, kind: TokenKind, token: string): Promise<string> {
  const id = tokenId(token);
  const used = await db
    .updateTable("tokens")
    .set({ used_at: sql`now()` })
    .where("id", "=", id)
    .where("kind", "=", kind)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("user_id")
    .executeTakeFirst();
  if (used) return used.user_id;
  const row = await db.selectFrom("tokens").select(["used_at"]).where("id", "=", id).where("kind", "=", kind).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "token.unknown");
  throw new AppError("CONFLICT", row.used_at ? "token.used" : "token.expired");
}

/** Checks a token without using it (to show the form behind an e-mailed link). */
export async function peekToken(db: Kysely<Database>, kind: TokenKind, token: string): Promise<string> {
  const row = await db
    .selectFrom("tokens")
    .select(["user_id", "used_at", "expires_at"])
    .where("id", "=", tokenId(token))
    .where("kind", "=", kind)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "token.unknown");
  if (row.used_at) throw new AppError("CONFLICT", "token.used");
  if (new Date(row.expires_at) <= new Date()) throw new AppError("CONFLICT", "token.expired");
  return row.user_id;
}
