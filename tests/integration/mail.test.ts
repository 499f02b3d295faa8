// With SMTP_URL set, mail really leaves through SMTP (a real smtp-server receives it here),
// and the outbox row records that it was sent.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app";
import { Client } from "../support/http";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const received: Received[] = [];
let smtp: SMTPServer;
let app: TestApp;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
});

afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe("mail through SMTP_URL", () => {
  it("delivers the sign-up confirmation over SMTP and marks the outbox row sent", async () => {
    const res = await new Client(app.url).post("/signup", { displayName: "Sanne", email: "sanne@example.be", password: "een-lang-wachtwoord" });
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
    const mail = received[0];
    expect(mail.to).toEqual(["sanne@example.be"]);
    expect(mail.raw).toMatch(/Subject: Bevestig je e-mailadres voor Codewerf/);
    expect(mail.raw.replace(/=\r?\n/g, "")).toContain(`${app.url}/signup/confirm/`);
    const row = await app.db.selectFrom("outbox").selectAll().where("to_address", "=", "sanne@example.be").executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    expect(row.error).toBeNull();
  });
});
