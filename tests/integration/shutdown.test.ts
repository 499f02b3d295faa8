// Graceful shutdown with work still running: a client posts a reply and hangs up while the
// reply waits for the database; the server is then told to stop. It must finish that reply
// (stored, its notices sent) before it closes the database, and exit cleanly. And a live event
// stream whose client left while its loader waited must not outlive it (nor hold up the stop).
//
// PostgreSQL only: the request is held up by a table lock taken from another connection, which
// the embedded database (inside the server's process) cannot offer.
import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { testDatabaseEnv, usingPostgres } from "../support/db";
import { Client } from "../support/http";
import { startServerProcess } from "../support/server-process";

const SECTION = "/codes/influencercode/sections/zelfdoding";
const COMMENTS_ROUTE = "routes/codes.$codeId.sections.$sectionId_.comments";

/** Polls `check` until it holds; fails with `what` after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(usingPostgres())("shutting down", () => {
  it("finishes a reply whose client hung up before it closes the database", async () => {
    const env = await testDatabaseEnv();
    const server = await startServerProcess({ ...env, LOG_LEVEL: "info" });
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    try {
      const writer = new Client(server.url);
      await writer.login("creator1@codewerf.test");
      const created = await writer.post(`${SECTION}/comments?fetch=1&_data=${encodeURIComponent(COMMENTS_ROUTE)}`, { intent: "create", body: "Klopt dit nummer van de Zelfmoordlijn nog?" });
      const { threadId } = (await created.json()) as { threadId: string };

      // Inserts into comments now wait for this transaction.
      await locker.query("begin");
      await locker.query("lock table comments in share mode");

      const body = new URLSearchParams({ intent: "reply", threadId, body: "Ja, 1813, dag en nacht." }).toString();
      const socket = net.connect(server.port, "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(
        [
          `POST ${SECTION}/comments?fetch=1&_data=${encodeURIComponent(COMMENTS_ROUTE)} HTTP/1.1`,
          `Host: 127.0.0.1:${server.port}`,
          `Origin: ${server.url}`,
          `Cookie: ${writer.cookie}`,
          "Content-Type: application/x-www-form-urlencoded",
          `Content-Length: ${Buffer.byteLength(body)}`,
          "",
          body,
        ].join("\r\n"),
      );
      // The reply's statement is waiting for the lock (parsing it takes the lock already, while
      // pg_stat_activity may still show the connection's previous query); its client gives up.
      await until("the reply to wait for the lock", async () => {
        const { rows } = await locker.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'",
        );
        return rows[0].n === 1;
      });
      socket.destroy();

      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      server.child.kill("SIGTERM");
      // No sockets are left, but the reply is still running: the server says it waits for it.
      await until("the server to wait for the running reply", () => server.output().includes('"msg":"waiting for requests still running"'));
      expect(server.child.exitCode).toBeNull();

      await locker.query("commit");
      expect(await exited).toBe(0);
      const out = server.output();
      expect(out).toContain('"msg":"stopped"');
      expect(out).not.toContain("driver has already been destroyed");
      expect(out).not.toContain("sending change notices after a commit failed");
      const { rows } = await locker.query("select count(*)::int as n from comments where thread_id = $1 and body = $2", [threadId, "Ja, 1813, dag en nacht."]);
      expect(rows[0].n).toBe(1);
    } finally {
      await locker.end();
      if (server.child.exitCode === null) await server.kill();
    }
  }, 60_000);

  it("never opens a live event stream whose client left while its loader waited, and stops at once", async () => {
    const env = await testDatabaseEnv();
    const server = await startServerProcess({ ...env, LOG_LEVEL: "info" });
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    const streams = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { eventStreams: { open: number; opened: number; gone: number } }).eventStreams;
    const openStream = async (cookie: string) => {
      const socket = net.connect(server.port, "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write([`GET ${SECTION}/comments/live HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Cookie: ${cookie}`, "Accept: text/event-stream", "", ""].join("\r\n"));
      return socket;
    };
    try {
      const reader = new Client(server.url);
      await reader.login("awel@codewerf.test");
      expect(await streams()).toEqual({ open: 0, opened: 0, gone: 0 });

      // A stream that opened closes with its client.
      const first = await openStream(reader.cookie);
      let got = "";
      first.on("data", (d) => (got += d));
      await until("the stream's first event", () => got.includes('data: {"type":"hello"}'));
      expect(await streams()).toMatchObject({ open: 1, opened: 1 });
      first.destroy();
      await until("the stream to close with its client", async () => (await streams()).open === 0, 5_000);

      // The session lookup of the next stream's loader now waits for this transaction.
      await locker.query("begin");
      await locker.query("lock table sessions in access exclusive mode");
      const second = await openStream(reader.cookie);
      await until("the stream's loader to wait for the lock", async () => {
        const { rows } = await locker.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'",
        );
        return rows[0].n === 1;
      });
      second.destroy();
      await locker.query("commit");
      // The loader goes on for a client that has gone: its stream is never opened.
      await until("the loader to finish", async () => (await streams()).gone === 1, 5_000);
      expect(await streams()).toEqual({ open: 0, opened: 1, gone: 1 });

      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      const asked = Date.now();
      server.child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(Date.now() - asked).toBeLessThan(5_000);
      expect(server.output()).toContain('"msg":"stopped"');
      expect(server.output()).not.toContain("requests still running after the drain limit");
    } finally {
      await locker.end();
      if (server.child.exitCode === null) await server.kill();
    }
  }, 60_000);
});
