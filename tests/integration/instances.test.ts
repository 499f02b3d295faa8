// Two instances of Codewerf on one PostgreSQL database (two real server processes): a comment
// posted through one reaches the live comment stream and the kept section pages of the other.
// Only on PostgreSQL: two processes cannot share one embedded PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/collab";
import { testDatabaseEnv, usingPostgres } from "../support/db";
import { Client, pageText } from "../support/http";
import { startServerProcess, type ServerProcess } from "../support/server-process";

const SECTION = "/codes/influencercode/sections/zelfdoding";

describe.runIf(usingPostgres())("two instances on one database", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const env = await testDatabaseEnv();
    a = await startServerProcess(env, { timeoutMs: 60_000 });
    b = await startServerProcess(env, { timeoutMs: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("brings a comment posted on one to the other's live stream and kept pages", async () => {
    const reader = new Client(a.url);
    await reader.login("creator2@codewerf.test");
    const writer = new Client(b.url);
    await writer.login("creator1@codewerf.test");

    // The reader has the section open on instance A: its page (kept there) and its live stream.
    for (let i = 0; i < 2; i++) expect((await reader.get(SECTION)).status).toBe(200);
    const controller = new AbortController();
    const stream = await fetch(`${a.url}${SECTION}/comments/live`, { headers: { Cookie: reader.cookie }, signal: controller.signal });
    expect(stream.status).toBe(200);
    let received = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      const chunks = stream.body!.getReader();
      try {
        for (let r = await chunks.read(); !r.done; r = await chunks.read()) received += decoder.decode(r.value, { stream: true });
      } catch {
        // aborted at the end
      }
    })();
    await waitFor(() => received.includes('"type":"hello"'), "the stream to open");

    const body = "Geef ook het nummer van de Zelfmoordlijn 1813 in de pinned comment.";
    const posted = await writer.post(`${SECTION}/comments`, { intent: "create", body }, { Accept: "application/json" });
    expect(posted.status).toBe(200);
    const { threadId } = (await posted.json()) as { threadId: string };

    await waitFor(() => received.includes(`"threadId":"${threadId}"`), "instance A to announce B's comment", 10_000);
    expect(received).toContain(`{"type":"changed","threadId":"${threadId}","what":"created"}`);
    controller.abort();
    await reading;

    // The page A kept for the reader before the comment is not answered any more.
    await waitFor(async () => pageText(await (await reader.get(SECTION)).text()).includes(body), "A's page to show B's comment", 10_000);
  });
});
