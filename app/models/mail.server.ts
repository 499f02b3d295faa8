// Outgoing mail: always recorded in the outbox table (the demo's "mailbox"), and sent
// through SMTP_URL when it is set.
import nodemailer, { type Transporter } from "nodemailer";
import type { Kysely } from "kysely";
import { config } from "~/config.server";
import type { Database } from "~/db.server";
import { log } from "~/log.server";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const g = globalThis as unknown as { __codewerfMailer?: Transporter };

export async function sendMail(db: Kysely<Database>, mail: Mail): Promise<void> {
  const row = await db
    .insertInto("outbox")
    .values({ to_address: mail.to, subject: mail.subject, text_body: mail.text })
    .returning("id")
    .executeTakeFirstOrThrow();
  await deliverMail(db, row.id, mail);
}

/**
 * Sends a mail already stored as outbox row `outboxId` (by sendMail, or by a use case that
 * writes the row in its own statement) through SMTP_URL when set, and records the outcome.
 */
export async function deliverMail(db: Kysely<Database>, outboxId: number, mail: Mail): Promise<void> {
  const { smtpUrl } = config();
  if (!smtpUrl) {
    log().info({ outboxId, to: mail.to, subject: mail.subject }, "mail stored in outbox (no SMTP_URL)");
    return;
  }
  g.__codewerfMailer ??= nodemailer.createTransport(smtpUrl);
  try {
    await g.__codewerfMailer.sendMail({ from: "Codewerf <noreply@codewerf.test>", to: mail.to, subject: mail.subject, text: mail.text });
    await db.updateTable("outbox").set({ sent_at: new Date() }).where("id", "=", outboxId).execute();
  } catch (err) {
    log().error({ err, outboxId }, "mail could not be sent");
    await db.updateTable("outbox").set({ error: String(err) }).where("id", "=", outboxId).execute();
  }
}

export function listOutbox(db: Kysely<Database>, limit = 50) {
  return db.selectFrom("outbox").selectAll().orderBy("id", "desc").limit(limit).execute();
}
