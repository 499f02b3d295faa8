// Attacks on sign-in and sessions, each one tried for real against the running app and
// shown to fail: enumeration, guessing, cross-site posts, open redirects, stale sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const userRow = (email: string) => app.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();

describe("login", () => {
  it("gives the same answer for an unknown e-mail and a wrong password", async () => {
    const c = new Client(app.url);
    const unknown = await c.post("/login", { email: "nobody@codewerf.test", password: "codewerf-demo" });
    const wrong = await c.post("/login", { email: "awel@codewerf.test", password: "not-the-password" });
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(400);
    const a = pageText(await unknown.text());
    const b = pageText(await wrong.text());
    expect(a).toContain("Dit e-mailadres en wachtwoord horen niet bij elkaar.");
    expect(a).toEqual(b);
    expect(c.cookie).toBe("");
  });

  it("answers 429 after five failures for one account, even with the right password", async () => {
    const c = new Client(app.url);
    for (let i = 0; i < 5; i++) {
      const res = await c.post("/login", { email: "sensoa@codewerf.test", password: `guess-${i}` });
      expect(res.status).toBe(400);
    }
    const sixth = await c.post("/login", { email: "sensoa@codewerf.test", password: "codewerf-demo" });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(pageText(await sixth.text())).toContain("Te veel mislukte pogingen");
    expect(c.cookie).toBe("");
    // The same account from another address is blocked too: the limit is per account.
    const elsewhere = await new Client(app.url).post("/login", { email: "sensoa@codewerf.test", password: "codewerf-demo" });
    expect(elsewhere.status).toBe(429);
  });

  it("answers 429 after five failures from one address, whichever accounts it tries", async () => {
    const c = new Client(app.url);
    for (let i = 0; i < 5; i++) {
      expect((await c.post("/login", { email: `guess${i}@codewerf.test`, password: "codewerf-demo" })).status).toBe(400);
    }
    expect((await c.post("/login", { email: "mediawijs@codewerf.test", password: "codewerf-demo" })).status).toBe(429);
    // Another address can still sign in to that account.
    await new Client(app.url).login("mediawijs@codewerf.test");
  });

  it("sets an httpOnly, SameSite=Lax session cookie that is rotated at every login", async () => {
    const c = new Client(app.url);
    const first = await c.login("creator2@codewerf.test");
    const header = first.headers.getSetCookie().find((h) => h.startsWith("codewerf_session="))!;
    expect(header).toMatch(/; HttpOnly/i);
    expect(header).toMatch(/; SameSite=Lax/i);
    expect(header).toMatch(/; Path=\//i);
    expect(header).not.toMatch(/; Secure/i); // plain-http loopback demo
    const before = c.cookie;
    await c.login("creator2@codewerf.test");
    expect(c.cookie).not.toEqual(before);
    // The replaced session is gone server-side.
    const old = new Client(app.url);
    old.cookie = before;
    expect((await old.get("/account")).status).toBe(302);
  });

  it("only follows local redirectTo paths", async () => {
    for (const target of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]) {
      const c = new Client(app.url);
      const res = await c.post("/login", { email: "creator1@codewerf.test", password: "codewerf-demo", redirectTo: target });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/");
    }
    const c = new Client(app.url);
    const res = await c.post("/login", { email: "creator1@codewerf.test", password: "codewerf-demo", redirectTo: "/codes/influencercode?x=1" });
    expect(res.headers.get("location")).toBe("/codes/influencercode?x=1");
  });
});

describe("sessions", () => {
  it("logout makes the old cookie worthless on the server", async () => {
    const c = new Client(app.url);
    await c.login("agency@codewerf.test");
    const stolen = c.cookie;
    expect((await c.get("/account")).status).toBe(200);
    expect((await c.post("/logout", {})).status).toBe(302);
    const replay = new Client(app.url);
    replay.cookie = stolen;
    const res = await replay.get("/account");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("a suspended user's open session stops working at once", async () => {
    const creator = new Client(app.url);
    await creator.login("creator1@codewerf.test");
    expect((await creator.get("/codes/influencercode")).status).toBe(200);
    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    const target = await userRow("creator1@codewerf.test");
    expect((await ministry.post("/admin/people", { intent: "suspend", userId: target.id })).status).toBe(200);
    expect((await creator.get("/codes/influencercode")).status).toBe(302);
    const again = await new Client(app.url).post("/login", { email: "creator1@codewerf.test", password: "codewerf-demo" });
    expect(again.status).toBe(403);
    expect(pageText(await again.text())).toContain("Je account is geschorst");
    await ministry.post("/admin/people", { intent: "unsuspend", userId: target.id });
    await new Client(app.url).login("creator1@codewerf.test");
  });
});

describe("cross-site requests", () => {
  it("refuses a POST from a foreign Origin and changes nothing", async () => {
    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    const target = await userRow("creator2@codewerf.test");
    const forged = new Client(app.url, "https://evil.example");
    forged.cookie = ministry.cookie;
    const res = await forged.post("/admin/people", { intent: "suspend", userId: target.id });
    expect(res.status).toBe(403);
    expect((await userRow("creator2@codewerf.test")).suspended_at).toBeNull();
  });

  it("refuses a POST with neither Origin nor Referer", async () => {
    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    const res = await fetch(`${app.url}/codes/influencercode`, {
      method: "POST",
      headers: { Cookie: ministry.cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "intent=lock&sectionId=reclame",
    });
    expect(res.status).toBe(403);
    const section = await app.db.selectFrom("sections").select("locked_at").where("id", "=", "reclame").executeTakeFirstOrThrow();
    expect(section.locked_at).toBeNull();
  });
});

describe("rights on the server", () => {
  it("an expert cannot use the ministry's people page, not even by a crafted POST", async () => {
    const expert = new Client(app.url);
    await expert.login("awel@codewerf.test");
    const page = await expert.get("/admin/people");
    expect(page.status).toBe(403);
    expect(pageText(await page.text())).toContain("Je hebt geen toegang");
    const target = await userRow("creator2@codewerf.test");
    const res = await expert.post("/admin/people", { intent: "suspend", userId: target.id });
    expect(res.status).toBe(403);
    expect((await userRow("creator2@codewerf.test")).suspended_at).toBeNull();
  });

  it("only the ministry locks a section", async () => {
    const creator = new Client(app.url);
    await creator.login("creator1@codewerf.test");
    expect((await creator.post("/codes/influencercode", { intent: "lock", sectionId: "grenzen" })).status).toBe(403);
    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    expect((await ministry.post("/codes/influencercode", { intent: "lock", sectionId: "grenzen" })).status).toBe(200);
    const page = pageText(await (await creator.get("/codes/influencercode/sections/grenzen")).text());
    expect(page).toContain("Dit hoofdstuk is vergrendeld door het departement.");
    const draft = pageText(await (await creator.get("/codes/influencercode")).text());
    expect(draft).toContain("Sofie Martens vergrendelde “Grenzen, sexting en uitbuiting”");
    await ministry.post("/codes/influencercode", { intent: "unlock", sectionId: "grenzen" });
    const events = await app.db.selectFrom("audit_events").select("action").where("subject_id", "=", "influencercode/grenzen").execute();
    expect(events.map((e) => e.action)).toEqual(["section.locked", "section.unlocked"]);
  });

  it("the public is sent to the login page from the draft, and unknown pages are a Dutch 404", async () => {
    const res = await fetch(`${app.url}/codes/influencercode`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fcodes%2Finfluencercode");
    const missing = await fetch(`${app.url}/bestaat-niet`);
    expect(missing.status).toBe(404);
    expect(pageText(await missing.text())).toContain("Deze pagina bestaat niet (meer).");
    const c = new Client(app.url);
    await c.login("creator3@codewerf.test");
    expect((await c.get("/codes/influencercode/sections/bestaat-niet")).status).toBe(404);
  });
});

describe("bad input", () => {
  it("answers 400 with a Dutch message next to the field", async () => {
    const res = await new Client(app.url).post("/signup", { displayName: "", email: "geen-adres", password: "kort" });
    expect(res.status).toBe(400);
    const text = pageText(await res.text());
    expect(text).toContain("Dit veld is verplicht.");
    expect(text).toContain("Dit is geen geldig e-mailadres.");
    expect(text).toContain("Kies een wachtwoord van minstens 10 tekens.");
  });

  it("answers 413 to an oversized form", async () => {
    const res = await new Client(app.url).post("/signup", { displayName: "x".repeat(70_000), email: "a@b.be", password: "0123456789" });
    expect(res.status).toBe(413);
    const huge = await new Client(app.url).post("/signup", { displayName: "x".repeat(1_100_000), email: "a@b.be", password: "0123456789" });
    expect(huge.status).toBe(413);
  });

  it("stores and shows SQL-looking input literally in every text field", async () => {
    const sqlish = `Robert'); DROP TABLE users;-- <b>"x"</b>`;
    const c = new Client(app.url);
    const email = "o'reilly+sql@codewerf.test";
    expect((await c.post("/signup", { displayName: sqlish, email, password: "' OR '1'='1' --" })).status).toBe(200);
    const row = await userRow(email);
    expect(row.display_name).toBe(sqlish);
    // Login with SQL in both fields is just a failed login.
    expect((await c.post("/login", { email: "' OR 1=1 --", password: "' OR '1'='1" })).status).toBe(400);

    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    const invited = `Ann'; DELETE FROM sessions; --`;
    expect((await ministry.post("/admin/people", { intent: "invite", displayName: invited, email: "ann@awel.test", role: "expert", organisationId: "awel" })).status).toBe(200);
    expect((await userRow("ann@awel.test")).display_name).toBe(invited);

    const agency = new Client(app.url);
    await agency.login("agency@codewerf.test");
    expect((await agency.post("/account", { displayName: sqlish, locale: "nl-BE" })).status).toBe(200);
    const page = await (await agency.get("/account")).text();
    expect(page).toContain("Robert&#x27;); DROP TABLE users;-- &lt;b&gt;&quot;x&quot;&lt;/b&gt;");
    const people = pageText(await (await ministry.get("/admin/people")).text());
    expect(people).toContain(sqlish);
    expect(people).toContain(invited);
    expect((await app.db.selectFrom("users").select("id").execute()).length).toBeGreaterThan(9);
  });
});

describe("in production", () => {
  it("marks the session cookie Secure and sends HSTS", async () => {
    const prod = await startTestApp({ NODE_ENV: "production", PUBLIC_ORIGIN: "https://codewerf.example" });
    try {
      // As behind the production proxy: the public host arrives in X-Forwarded-Host.
      const c = new Client(prod.url, "https://codewerf.example");
      const res = await c.post("/login", { email: "creator1@codewerf.test", password: "codewerf-demo" }, { "X-Forwarded-Host": "codewerf.example" });
      expect(res.status).toBe(302);
      const header = res.headers.getSetCookie().find((h) => h.startsWith("codewerf_session="))!;
      expect(header).toMatch(/; Secure/i);
      expect(header).toMatch(/; HttpOnly/i);
      const page = await c.get("/");
      expect(page.headers.get("strict-transport-security")).toContain("max-age=");
      // The configured origin is the only one accepted.
      const local = new Client(prod.url);
      expect((await local.post("/login", { email: "creator1@codewerf.test", password: "codewerf-demo" })).status).toBe(403);
    } finally {
      await prod.close();
    }
  });

  it("sends the security headers on every page", async () => {
    const res = await fetch(`${app.url}/login`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await res.text();
    // Every inline script carries this response's nonce; none lacks it.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
  });
});
