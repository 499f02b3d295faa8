// The embedded database across restarts: a fresh start creates and seeds it, SIGTERM stops
// cleanly, and a second start reuses the data (nothing reseeded, nothing lost). How fast the
// second start is healthy is measured by `npm run bench:http`, not asserted under test load.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Client, pageText } from "../support/http";
import { startServerProcess } from "../support/server-process";

describe("embedded start", () => {
  it("seeds once, stops gracefully and reuses the data on the next start", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-restart-"));
    // As `npm start` with nothing configured: embedded database, secret generated into DATA_DIR.
    const env = { DATA_DIR: dataDir, DATABASE_URL: "", SESSION_SECRET: "", NODE_ENV: "production", LOG_LEVEL: "info" };
    const first = await startServerProcess(env, { timeoutMs: 60_000 });
    expect(first.output()).toContain("creator3@codewerf.test");
    const c = new Client(first.url);
    expect((await c.post("/signup", { displayName: "Blijft Bewaard", email: "blijft@example.be", password: "een-lang-wachtwoord" })).status).toBe(200);
    await c.login("creator1@codewerf.test");
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(fs.existsSync(path.join(dataDir, "session-secret"))).toBe(true);

    const second = await startServerProcess(env, { port: first.port });
    try {
      expect(second.output()).not.toContain("seeded with demo data");
      // The session from before the restart is still valid: same secret, same rows.
      expect((await c.get("/account")).status).toBe(200);
      // The signup from before the restart is still there; demo accounts were not duplicated.
      const again = await new Client(second.url).post("/login", { email: "blijft@example.be", password: "een-lang-wachtwoord" });
      expect(again.status).toBe(403); // exists, not yet confirmed
      const ministry = new Client(second.url);
      await ministry.login("ministerie@codewerf.test");
      const people = pageText(await (await ministry.get("/admin/people")).text());
      expect(people.match(/creator1@codewerf\.test/g)).toHaveLength(1);
      expect(people).toContain("blijft@example.be");
    } finally {
      await second.stop();
    }
  });
});
