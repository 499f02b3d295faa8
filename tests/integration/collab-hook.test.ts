// The change hook is throttled per document: a burst of stored batches reaches it as a few merged
// calls (every stored row and every author exactly once), and a quiet document reports at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredBatch } from "../../server/collab/index";
import { connectClient, insertText, waitFor } from "../support/collab";
import { startTestApp, type TestApp } from "../support/app";
import { Client } from "../support/http";

let app: TestApp;
const calls: (StoredBatch & { at: number })[] = [];
const cookies: Record<string, string> = {};
const INTERVAL = 400;

beforeAll(async () => {
  app = await startTestApp({}, { collab: { hookIntervalMs: INTERVAL, onStored: (b) => void calls.push({ ...b, at: Date.now() }) } });
  for (const who of ["creator1", "awel"]) {
    const c = new Client(app.url);
    await c.login(`${who}@codewerf.test`);
    cookies[who] = c.cookie;
  }
});
afterAll(async () => app?.close());

describe("change hook", () => {
  it("merges a burst into few calls, spaced by the interval, losing no row or author", async () => {
    const a = connectClient(app.url, "reclame", { cookie: cookies.creator1, origin: app.url });
    const b = connectClient(app.url, "reclame", { cookie: cookies.awel, origin: app.url });
    await waitFor(() => a.provider.synced && b.provider.synced, "synced");
    const seeded = await app.db.selectFrom("ydoc_updates").select("id").where("doc_name", "=", "influencercode/reclame").execute();
    const before = new Set(seeded.map((r) => String(r.id)));
    const start = Date.now();
    // 40 edits over ~1 s, each acknowledged (stored as its own batch) before the next.
    for (let i = 0; i < 40; i++) {
      const c = i % 2 ? b : a;
      insertText(c.doc, 0, `[${i}]`);
      const n = c.sent();
      await waitFor(() => c.state.saved >= n, `edit ${i} saved`);
    }
    const rows = await app.db.selectFrom("ydoc_updates").select("id").where("doc_name", "=", "influencercode/reclame").execute();
    const stored = new Set(rows.map((r) => String(r.id)).filter((id) => !before.has(id)));
    expect(stored.size).toBeGreaterThanOrEqual(10);
    await waitFor(() => [...stored].every((id) => calls.some((c) => c.updateIds.map(String).includes(id))), "every stored row reported");
    const burst = calls.filter((c) => c.docName === "influencercode/reclame");
    const reported = burst.flatMap((c) => c.updateIds.map(String));
    expect(new Set(reported).size).toBe(reported.length); // no row twice
    expect(burst.length).toBeLessThan(20); // 40 stored batches, far fewer hook calls
    for (let i = 1; i < burst.length; i++) expect(burst[i].at - burst[i - 1].at).toBeGreaterThanOrEqual(INTERVAL - 20);
    const users = await app.db.selectFrom("users").select(["id", "email"]).where("email", "in", ["creator1@codewerf.test", "awel@codewerf.test"]).execute();
    expect(new Set(burst.flatMap((c) => c.userIds))).toEqual(new Set(users.map((u) => u.id)));
    expect(burst[0].at - start).toBeLessThan(INTERVAL * 2);
    a.destroy();
    b.destroy();
  });
});
