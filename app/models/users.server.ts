// Accounts: sign-in, self-signup with e-mail confirmation, invitations into organisations,
// password reset, the drafting group and suspension.
import type { Kysely } from "kysely";
import { config } from "~/config.server";
import { hashPassword, verifyPassword } from "~/crypto.server";
import type { Database, Role } from "~/db.server";
import { AppError } from "~/domain/errors";
import type { Locale } from "~/domain/schemas";
import { emit } from "~/events.server";
import { messages } from "~/i18n";
import { authorize, type Actor } from "~/policies.server";
import { loginBlockedFor, recordLoginFailure } from "~/rate-limit.server";
import { recordEvent } from "./audit.server";
import { sendMail } from "./mail.server";
import { consumeToken, issueToken } from "./tokens.server";

type DB = Kysely<Database>;

function link(path: string): string {
  return `${config().publicOrigin}${path}`;
}

export function findUserByEmail(db: DB, email: string) {
  return db.selectFrom("users").selectAll().where((eb) => eb(eb.fn("lower", ["email"]), "=", email.trim().toLowerCase())).executeTakeFirst();
}

export function findUser(db: DB, id: string) {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Checks e-mail and password. Unknown e-mail and wrong password fail alike (same message,
 * same work); 5 failures per account or IP block further tries for a while.
 */
export async function authenticate(db: DB, input: { email: string; password: string; ip: string }) {
  const retryAfter = await loginBlockedFor(input.email, input.ip);
  if (retryAfter > 0) throw new AppError("RATE_LIMITED", "login.rateLimited", { retryAfter });
  const user = await findUserByEmail(db, input.email);
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok) {
    await recordLoginFailure(input.email, input.ip);
    throw new AppError("INVALID", "login.invalid");
  }
  if (user.suspended_at) throw new AppError("FORBIDDEN", "login.suspended");
  if (!user.email_confirmed_at) throw new AppError("FORBIDDEN", "login.unconfirmed");
  return user;
}

/** Anyone may sign up as an influencer; the account works once the e-mail is confirmed. */
export async function signUpInfluencer(db: DB, input: { email: string; displayName: string; password: string; locale: Locale }): Promise<void> {
  const t = messages(input.locale);
  const existing = await findUserByEmail(db, input.email);
  if (existing) {
    // Same answer as a new signup, so the form does not reveal who has an account.
    await sendMail(db, { to: existing.email, subject: t("mail.existing.subject"), text: t("mail.existing.body", { link: link("/password/forgot") }) });
    return;
  }
  const passwordHash = await hashPassword(input.password);
  const user = await db
    .insertInto("users")
    .values({ email: input.email, display_name: input.displayName, role: "influencer", password_hash: passwordHash, locale: input.locale })
    .returning(["id", "email"])
    .executeTakeFirstOrThrow();
  const token = await issueToken(db, "confirm_email", user.id);
  await sendMail(db, { to: user.email, subject: t("mail.confirm.subject"), text: t("mail.confirm.body", { link: link(`/signup/confirm/${token}`) }) });
  await recordEvent(db, { actorId: user.id, action: "user.signed_up", subjectType: "user", subjectId: user.id });
}

export async function confirmEmail(db: DB, token: string): Promise<string> {
  const userId = await consumeToken(db, "confirm_email", token);
  await db.updateTable("users").set({ email_confirmed_at: new Date(), updated_at: new Date() }).where("id", "=", userId).where("email_confirmed_at", "is", null).execute();
  await recordEvent(db, { actorId: userId, action: "user.email_confirmed", subjectType: "user", subjectId: userId });
  return userId;
}

/** The ministry invites an expert or agency member; the e-mailed link lets them set a password. */
export async function inviteMember(
  db: DB,
  actor: Actor,
  input: { email: string; displayName: string; role: Extract<Role, "expert" | "agency">; organisationId: string },
): Promise<void> {
  authorize(actor, "users.manage");
  const org = await db.selectFrom("organisations").select(["id", "kind", "name"]).where("id", "=", input.organisationId).executeTakeFirst();
  if (!org) throw new AppError("NOT_FOUND", "people.orgNotFound");
  if (org.kind !== input.role) throw new AppError("INVALID", "people.roleMismatch");
  if (await findUserByEmail(db, input.email)) throw new AppError("CONFLICT", "people.emailTaken");
  const user = await db
    .insertInto("users")
    .values({ email: input.email, display_name: input.displayName, role: input.role, organisation_id: org.id, password_hash: null })
    .returning(["id", "email", "locale"])
    .executeTakeFirstOrThrow();
  const token = await issueToken(db, "invite", user.id);
  const t = messages(user.locale);
  await sendMail(db, {
    to: user.email,
    subject: t("mail.invite.subject", { organisation: org.name }),
    text: t("mail.invite.body", { organisation: org.name, link: link(`/invite/${token}`) }),
  });
  await recordEvent(db, { actorId: actor.id, action: "user.invited", subjectType: "user", subjectId: user.id, data: { organisation: org.id, role: input.role } });
}

export async function acceptInvite(db: DB, token: string, password: string): Promise<string> {
  const passwordHash = await hashPassword(password);
  const userId = await consumeToken(db, "invite", token);
  await db.updateTable("users").set({ password_hash: passwordHash, email_confirmed_at: new Date(), updated_at: new Date() }).where("id", "=", userId).execute();
  await recordEvent(db, { actorId: userId, action: "user.invite_accepted", subjectType: "user", subjectId: userId });
  return userId;
}

/** Sends a reset link when the address is known; answers the same either way. */
export async function requestPasswordReset(db: DB, email: string): Promise<void> {
  const user = await findUserByEmail(db, email);
  if (!user || user.suspended_at) return;
  const token = await issueToken(db, "password_reset", user.id);
  const t = messages(user.locale);
  await sendMail(db, { to: user.email, subject: t("mail.reset.subject"), text: t("mail.reset.body", { link: link(`/password/reset/${token}`) }) });
}

export async function resetPassword(db: DB, token: string, password: string): Promise<string> {
  const passwordHash = await hashPassword(password);
  const userId = await consumeToken(db, "password_reset", token);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ password_hash: passwordHash, email_confirmed_at: new Date(), updated_at: new Date() }).where("id", "=", userId).execute();
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    await recordEvent(trx, { actorId: userId, action: "user.password_reset", subjectType: "user", subjectId: userId });
  });
  return userId;
}

export async function updateProfile(db: DB, userId: string, input: { displayName: string; locale: Locale }): Promise<void> {
  await db.updateTable("users").set({ display_name: input.displayName, locale: input.locale, updated_at: new Date() }).where("id", "=", userId).execute();
}

export async function setLocale(db: DB, userId: string, locale: Locale): Promise<void> {
  await db.updateTable("users").set({ locale, updated_at: new Date() }).where("id", "=", userId).where("locale", "<>", locale).execute();
}

type Flag = "suspend" | "unsuspend" | "admit" | "dismiss";

/** Ministry actions on an account; a suspension ends every session at once. */
export async function setUserFlag(db: DB, actor: Actor, userId: string, intent: Flag): Promise<void> {
  authorize(actor, "users.manage");
  if (userId === actor.id && intent === "suspend") throw new AppError("CONFLICT", "people.notYourself");
  const target = await findUser(db, userId);
  if (!target) throw new AppError("NOT_FOUND", "errors.notFound");
  if ((intent === "admit" || intent === "dismiss") && target.role !== "influencer") throw new AppError("INVALID", "people.onlyInfluencers");
  await db.transaction().execute(async (trx) => {
    const patch =
      intent === "suspend" ? { suspended_at: new Date() }
      : intent === "unsuspend" ? { suspended_at: null }
      : { in_drafting_group: intent === "admit" };
    await trx.updateTable("users").set({ ...patch, updated_at: new Date() }).where("id", "=", userId).execute();
    if (intent === "suspend") await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    await recordEvent(trx, { actorId: actor.id, action: `user.${intent}`, subjectType: "user", subjectId: userId });
  });
  emit("user.rights-changed", { userId });
}

export function listPeople(db: DB) {
  return db
    .selectFrom("users")
    .leftJoin("organisations", "organisations.id", "users.organisation_id")
    .select([
      "users.id",
      "users.email",
      "users.display_name",
      "users.role",
      "users.in_drafting_group",
      "users.suspended_at",
      "users.email_confirmed_at",
      "users.password_hash",
      "organisations.name as organisation_name",
    ])
    .orderBy("users.role")
    .orderBy("users.display_name")
    .execute()
    .then((rows) => rows.map(({ password_hash, ...r }) => ({ ...r, invited: password_hash === null })));
}

export function listOrganisations(db: DB) {
  return db
    .selectFrom("organisations")
    .leftJoin("users", "users.organisation_id", "organisations.id")
    .select((eb) => ["organisations.id", "organisations.name", "organisations.kind", "organisations.description", "organisations.fields", eb.fn.count<string>("users.id").as("members")])
    .groupBy("organisations.id")
    .orderBy("organisations.kind")
    .orderBy("organisations.name")
    .execute();
}
