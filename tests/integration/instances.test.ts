// Two instances of Codewerf on one PostgreSQL database and a private Redis (two real server
// processes): a comment posted through one reaches the live comment stream and the kept section
// pages of the other, and someone editing on one shows in the other's live overview.
// Only on PostgreSQL: two processes cannot share one embedded PGlite.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, waitFor } from "../support/collab";
import { testDatabaseEnv, usingPostgres } from "../support/db";
import { Client, pageText } from "../support/http";
import { startRedisServer, stopRedisServer } from "../support/redis";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process";

const SECTION = "/codes/influencercode/sections/zelfdoding";

describe.runIf(usingPostgres())("two instances on one database", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let redis: ChildProcess;
  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    const env = { ...(await testDatabaseEnv()), REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    a = await startServerProcess(env, { timeoutMs: 60_000 });
    b = await startServerProcess(env, { timeoutMs: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (redis) await stopRedisServer(redis);
  });

  /** Reads a server-sent event stream into a growing string until aborted. */
  async function eventStream(url: string, cookie: string) {
    const controller = new AbortController();
    const res = await fetch(url, { headers: { Cookie: cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    const state = { text: "" };
    const reading = (async () => {
      const decoder = new TextDecoder();
      const chunks = res.body!.getReader();
      try {
        for (let r = await chunks.read(); !r.done; r = await chunks.read()) state.text += decoder.decode(r.value, { stream: true });
      } catch {
        // aborted at the end
      }
    })();
    return {
      state,
      async close() {
        controller.abort();
        await reading;
      },
    };
  }

  it("shows in one instance's live overview who is editing on the other", async () => {
    const reader = new Client(a.url);
    await reader.login("creator2@codewerf.test");
    const writer = new Client(b.url);
    await writer.login("creator1@codewerf.test");
    const overview = await eventStream(`${a.url}/codes/influencercode/live`, reader.cookie);
    await waitFor(() => overview.state.text.includes('"type":"snapshot"'), "the overview stream to open");

    const editor = connectClient(b.url, "reclame", { cookie: writer.cookie, origin: b.url });
    try {
      await waitFor(() => /"type":"presence","sectionId":"reclame","here":\[[^\]]*"Yana Peeters"/.test(overview.state.text), "A's overview to show Yana editing on B", 10_000);
    } finally {
      editor.destroy();
    }
    const shown = overview.state.text.length;
    await waitFor(() => overview.state.text.slice(shown).includes('"type":"presence","sectionId":"reclame","here":[]'), "A's overview to show that she left", 10_000);
    await overview.close();
  });

  it("brings a comment posted on one to the other's live stream and kept pages", async () => {
    const reader = new Client(a.url);
    await reader.login("creator2@codewerf.test");
    const writer = new Client(b.url);
    await writer.login("creator1@codewerf.test");

    // The reader has the section open on instance A: its page (kept there) and its live stream.
    for (let i = 0; i < 2; i++) expect((await reader.get(SECTION)).status).toBe(200);
    const comments = await eventStream(`${a.url}${SECTION}/comments/live`, reader.cookie);
    await waitFor(() => comments.state.text.includes('"type":"hello"'), "the stream to open");

    const body = "Geef ook het nummer van de Zelfmoordlijn 1813 in de pinned comment.";
    const posted = await writer.post(`${SECTION}/comments`, { intent: "create", body }, { Accept: "application/json" });
    expect(posted.status).toBe(200);
    const { threadId } = (await posted.json()) as { threadId: string };

    await waitFor(() => comments.state.text.includes(`"threadId":"${threadId}"`), "instance A to announce B's comment", 10_000);
    expect(comments.state.text).toContain(`{"type":"changed","threadId":"${threadId}","what":"created"}`);
    await comments.close();

    // The page A kept for the reader before the comment is not answered any more.
    await waitFor(async () => pageText(await (await reader.get(SECTION)).text()).includes(body), "A's page to show B's comment", 10_000);
  });
});
