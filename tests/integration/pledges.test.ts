// Pledges over HTTP on a real database: signing, e-mail confirmation (single use, 48 h),
// the under-13 guardian path, withdrawing, the registry, the JSON API and the live badge,
// escaping of hostile names, "verouderd" after a major release and the re-pledge invitation,
// the Origin check and the rate limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishPreview, publishRelease } from "../../app/models/releases.server";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

const CODE = "influencercode";
let app: TestApp;
let seq = 0;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

/** A fresh, confirmed account (the demo password) signed in through the login form. */
async function newSigner(role: "influencer" | "agency" | "expert" = "influencer"): Promise<{ client: Client; email: string; id: string }> {
  const hash = await app.db.selectFrom("users").select("password_hash").where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow();
  const email = `signer${++seq}-${Date.now()}@example.be`;
  const user = await app.db
    .insertInto("users")
    .values({ email, display_name: `Signer ${seq}`, role, organisation_id: role === "expert" ? "awel" : role === "agency" ? "agency" : null, password_hash: hash.password_hash, email_confirmed_at: new Date() })
    .returning("id")
    .executeTakeFirstOrThrow();
  const client = new Client(app.url);
  await client.login(email);
  return { client, email, id: user.id };
}

async function signForm(client: Client, fields: Record<string, string> = {}): Promise<Record<string, string>> {
  const html = await (await client.get("/pledge")).text();
  const hash = /name="textSha256" value="([0-9a-f]{64})"/.exec(html)?.[1];
  if (!hash) throw new Error(`no pledge form on /pledge:\n${pageText(html).slice(0, 500)}`);
  return { publicName: "Testnaam", instagram: "", tiktok: "", youtube: "", twitch: "", under13: "no", guardianEmail: "", textSha256: hash, ...fields };
}

/** Signs and returns the pledge id (from the redirect to the pledge page). */
async function sign(client: Client, fields: Record<string, string> = {}): Promise<string> {
  const res = await client.post("/pledge", await signForm(client, fields));
  if (res.status !== 302) throw new Error(`signing failed: ${res.status} ${pageText(await res.text()).slice(0, 400)}`);
  return /^\/pledges\/([0-9a-f-]{36})\?signed=1$/.exec(res.headers.get("location") ?? "")![1];
}

async function lastLink(to: string, path: "confirm" | "guardian" | "renew"): Promise<string> {
  const mails = await app.db.selectFrom("outbox").select("text_body").where("to_address", "=", to).orderBy("id", "desc").execute();
  for (const m of mails) {
    const match = new RegExp(`https?://[^\\s]+(/pledge/${path}[^\\s]*)`).exec(m.text_body);
    if (match) return match[1];
  }
  throw new Error(`no ${path} link mailed to ${to}`);
}

async function registry(q = ""): Promise<{ html: string; json: { pledges: { id: string; name: string; status: string }[] } & Record<string, unknown>; jsonText: string }> {
  const anyone = new Client(app.url);
  const html = await (await anyone.get(`/pledges${q ? `?q=${encodeURIComponent(q)}` : ""}`)).text();
  const jsonText = await (await anyone.get(`/api/pledges${q ? `?q=${encodeURIComponent(q)}` : ""}`)).text();
  return { html, json: JSON.parse(jsonText), jsonText };
}

async function badge(id: string): Promise<{ status: number; svg: string; res: Response }> {
  const res = await new Client(app.url).get(`/pledges/${id}/badge.svg`);
  return { status: res.status, svg: await res.text(), res };
}

describe("the seeded registry", () => {
  it("shows the confirmed pledges of creator1 and creator2 to 1.0, with counts", async () => {
    const { html, json } = await registry();
    expect(json.pledges.map((p) => p.name).sort()).toEqual(["Milan De Smet", "Yana Peeters"]);
    expect(html).toMatch(/data-release="1.0" data-count="2"/);
    const search = await registry("@yanapeeters");
    expect(search.json.pledges.map((p) => p.name)).toEqual(["Yana Peeters"]);
  });

  it("finds a part of a name (any case) or of any handle, and takes % and _ literally", async () => {
    const names = async (q: string) => (await registry(q)).json.pledges.map((p) => p.name).sort();
    expect(await names("DE SM")).toEqual(["Milan De Smet"]);
    expect(await names("_speelt")).toEqual(["Milan De Smet"]); // twitch handle
    expect(await names("a.pee")).toEqual(["Yana Peeters"]); // tiktok handle
    expect(await names("an")).toEqual(["Milan De Smet", "Yana Peeters"]);
    expect(await names("%")).toEqual([]);
    expect(await names("y_na")).toEqual([]);
    // The parts are searched one by one: no match across the end of a name and a handle.
    expect(await names("smetmilan")).toEqual([]);
  });
});

describe("signing and confirming", () => {
  it("keeps an unconfirmed pledge out of the registry, the API and the badge; the link makes it public once", async () => {
    const { client, email, id: userId } = await newSigner();
    const name = `Lotte Vermeulen ${seq}`;
    const id = await sign(client, { publicName: name, instagram: "@Lotte.Vermeulen", tiktok: "https://www.tiktok.com/@LotteV", youtube: "", twitch: "" });
    const row = await app.db.selectFrom("pledges").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: userId, instagram: "lotte.vermeulen", tiktok: "lottev", confirmed_at: null });
    expect(row.text_sha256).toMatch(/^[0-9a-f]{64}$/);

    const before = await registry(name);
    expect(before.json.pledges).toHaveLength(0);
    expect(before.html).not.toContain(`data-pledge="${id}"`);
    expect((await new Client(app.url).get(`/api/pledges/${id}`)).status).toBe(404);
    expect((await new Client(app.url).get(`/pledges/${id}`)).status).toBe(404);
    const hidden = await badge(id);
    expect(hidden.status).toBe(404);
    expect(hidden.svg).toContain("bestaat niet");
    // The signer sees their own page, with the "check your mailbox" notice.
    expect(pageText(await (await client.get(`/pledges/${id}?signed=1`)).text())).toContain("nog niet bevestigd");

    const link = await lastLink(email, "confirm");
    const anyone = new Client(app.url);
    expect((await anyone.get(link)).status).toBe(200); // showing the page does not use the link
    const confirmed = await anyone.post(link, {});
    expect(confirmed.status).toBe(200);
    expect(pageText(await confirmed.text())).toContain("Je handtekening staat nu in het openbare register.");

    const after = await registry(name);
    expect(after.json.pledges.map((p) => p.id)).toEqual([id]);
    expect(after.html).toContain(name);
    const live = await badge(id);
    expect(live.status).toBe(200);
    expect(live.svg).toContain("<title>Influencercode 1.0: ondertekend</title>");
    expect(live.svg).toContain('role="img"');
    expect(live.res.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const etag = live.res.headers.get("etag")!;
    expect((await new Client(app.url).get(`/pledges/${id}/badge.svg`, { "If-None-Match": etag })).status).toBe(304);

    // Reusing the link fails clearly and changes nothing.
    const reused = await anyone.post(link, {});
    expect(reused.status).toBe(409);
    expect(pageText(await reused.text())).toContain("Deze link werd al gebruikt.");
    expect((await anyone.get(link)).status).toBe(409);
  });

  it("refuses an expired link with a clear message", async () => {
    const { client, email } = await newSigner();
    const id = await sign(client, { publicName: "Verlopen Link" });
    const link = await lastLink(email, "confirm");
    await app.db.updateTable("tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("kind", "=", "pledge_confirm").where("used_at", "is", null).execute();
    const res = await new Client(app.url).post(link, {});
    expect(res.status).toBe(409);
    expect(pageText(await res.text())).toContain("Deze link is verlopen.");
    expect((await app.db.selectFrom("pledges").select("confirmed_at").where("id", "=", id).executeTakeFirstOrThrow()).confirmed_at).toBeNull();
  });

  it("is idempotent: signing the same release twice keeps one pledge and sends one mail", async () => {
    const { client, email, id: userId } = await newSigner();
    const form = await signForm(client, { publicName: "Twee Keer" });
    const answers = [await client.post("/pledge", form), await client.post("/pledge", form)];
    expect(answers.map((r) => r.status)).toEqual([302, 302]);
    expect(answers[1].headers.get("location")).toBe(answers[0].headers.get("location"));
    expect(pageText(await (await client.get("/pledge")).text())).toContain("Je ondertekende versie 1.0 al.");
    const rows = await app.db.selectFrom("pledges").select("id").where("user_id", "=", userId).execute();
    expect(rows).toHaveLength(1);
    const mails = await app.db.selectFrom("outbox").select("id").where("to_address", "=", email).execute();
    expect(mails).toHaveLength(1);
  });

  it("validates handles and refuses roles that do not sign", async () => {
    const { client } = await newSigner();
    const bad = await client.post("/pledge", await signForm(client, { instagram: "niet geldig!", twitch: "ab" }));
    expect(bad.status).toBe(400);
    expect(pageText(await bad.text())).toContain("Dit is geen geldige gebruikersnaam voor dit platform.");
    const expert = await newSigner("expert");
    const res = await expert.client.post("/pledge", await signForm(client));
    expect(res.status).toBe(403);
  });
});

describe("under 13", () => {
  it("needs a guardian's address, stays private until the guardian confirms, and never shows age or e-mail", async () => {
    const { client, email } = await newSigner();
    const missing = await client.post("/pledge", await signForm(client, { publicName: "Kleine Kim", under13: "yes" }));
    expect(missing.status).toBe(400);
    expect(pageText(await missing.text())).toContain("Geef het e-mailadres van een ouder of voogd.");

    const guardian = `ouder-${seq}@example.be`;
    const id = await sign(client, { publicName: "Kleine Kim", under13: "yes", guardianEmail: guardian });
    expect((await new Client(app.url).post(await lastLink(email, "confirm"), {})).status).toBe(200);
    expect((await registry("Kleine Kim")).json.pledges).toHaveLength(0);
    expect((await badge(id)).status).toBe(404);

    const guardianLink = await lastLink(guardian, "guardian");
    const page = await new Client(app.url).get(guardianLink);
    expect(pageText(await page.text())).toContain("Kleine Kim wil versie 1.0");
    expect((await new Client(app.url).post(guardianLink, {})).status).toBe(200);

    const { html, jsonText, json } = await registry("Kleine Kim");
    expect(json.pledges.map((p) => p.id)).toEqual([id]);
    const one = await (await new Client(app.url).get(`/api/pledges/${id}`)).text();
    const record = await (await new Client(app.url).get(`/pledges/${id}`)).text();
    for (const body of [html, jsonText, one, record]) {
      expect(body).not.toContain(guardian);
      expect(body).not.toContain(email);
      expect(body).not.toMatch(/under_?13|"age"|jonger dan 13/i);
    }
    // The guardian's address is not kept once it has served.
    expect((await app.db.selectFrom("pledges").select("guardian_email").where("id", "=", id).executeTakeFirstOrThrow()).guardian_email).toBeNull();
  });
});

describe("withdrawing", () => {
  it("refuses someone else's crafted POST (403), then the signer withdraws in one step and the badge says so", async () => {
    const owner = await newSigner();
    const id = await sign(owner.client, { publicName: "Intrekker" });
    await new Client(app.url).post(await lastLink(owner.email, "confirm"), {});

    const other = await newSigner();
    const attack = await other.client.post(`/pledges/${id}`, { intent: "withdraw", reason: "haha" });
    expect(attack.status).toBe(403);
    const anonymous = await new Client(app.url).post(`/pledges/${id}`, { intent: "withdraw" });
    expect(anonymous.status).toBe(302);
    expect((await app.db.selectFrom("pledges").select("withdrawn_at").where("id", "=", id).executeTakeFirstOrThrow()).withdrawn_at).toBeNull();

    const page = await (await owner.client.get(`/pledges/${id}?withdraw=1`)).text();
    expect(pageText(page)).toContain("Wil je je handtekening echt intrekken?");
    const res = await owner.client.post(`/pledges/${id}`, { intent: "withdraw", reason: "Ik stop met content maken." });
    expect(res.status).toBe(302);

    expect((await registry("Intrekker")).json.pledges).toHaveLength(0);
    const b = await badge(id);
    expect(b.status).toBe(200);
    expect(b.svg).toMatch(/<title>Influencercode 1\.0: ingetrokken \d/);
    const publicPage = pageText(await (await new Client(app.url).get(`/pledges/${id}`)).text());
    expect(publicPage).toContain("ingetrokken");
    expect(publicPage).toMatch(/Ingetrokken op \d/);
    expect(publicPage).not.toContain("Ik stop met content maken."); // the reason is the signer's own
    const api = await (await new Client(app.url).get(`/api/pledges/${id}`)).json();
    expect(api.status).toBe("withdrawn");
  });

  it("signing again after withdrawing signs anew: private again until a fresh link confirms it", async () => {
    const { client, email } = await newSigner();
    const id = await sign(client, { publicName: "Terugkeerder" });
    const firstLink = await lastLink(email, "confirm");
    await new Client(app.url).post(firstLink, {});
    expect((await client.post(`/pledges/${id}`, { intent: "withdraw", reason: "" })).status).toBe(302);

    expect(await sign(client, { publicName: "Terugkeerder Opnieuw" })).toBe(id);
    const row = await app.db.selectFrom("pledges").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ public_name: "Terugkeerder Opnieuw", withdrawn_at: null, confirmed_at: null, email_confirmed_at: null });
    expect((await registry("Terugkeerder")).json.pledges).toHaveLength(0);
    const secondLink = await lastLink(email, "confirm");
    expect(secondLink).not.toBe(firstLink);
    expect((await new Client(app.url).post(secondLink, {})).status).toBe(200);
    expect((await registry("Terugkeerder")).json.pledges.map((p) => p.id)).toEqual([id]);
  });
});

describe("hostile names", () => {
  it("render as text in the registry, the record, the API and the badge", async () => {
    for (const name of ["<script>alert(1)</script>", '"><svg onload=alert(1)>']) {
      const { client, email } = await newSigner();
      const id = await sign(client, { publicName: name });
      await new Client(app.url).post(await lastLink(email, "confirm"), {});
      const { html, json } = await registry();
      expect(json.pledges.map((p) => p.name)).toContain(name);
      const record = await (await new Client(app.url).get(`/pledges/${id}`)).text();
      for (const body of [html, record]) {
        expect(body).not.toContain(name);
        expect(body).not.toContain("<svg onload");
        expect(body).not.toMatch(/<script>alert/);
      }
      const b = await badge(id);
      expect(b.svg).not.toMatch(/<script|onload/i);
      expect(b.res.headers.get("content-security-policy")).toContain("sandbox");
    }
  });
});

describe("rate limits and origin", () => {
  it("refuses a cross-origin signing POST", async () => {
    const { client, id } = await newSigner();
    const form = await signForm(client);
    const res = await client.post("/pledge", form, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await app.db.selectFrom("pledges").select("id").where("user_id", "=", id).execute()).toHaveLength(0);
  });

  it("limits signing attempts per account", async () => {
    const { client } = await newSigner();
    const form = await signForm(client, { publicName: "Veel Pogingen" });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await client.post("/pledge", form)).status);
    expect(statuses.slice(0, 10).every((s) => s === 302)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("blocks confirmation attempts from an address after 10 bad links, even for a good one", async () => {
    const { client, email } = await newSigner();
    await sign(client, { publicName: "Geraden Link" });
    const good = await lastLink(email, "confirm");
    const guesser = new Client(app.url);
    for (let i = 0; i < 10; i++) expect((await guesser.post(`/pledge/confirm/geraden-${i}`, {})).status).toBe(404);
    const blocked = await guesser.post(good, {});
    expect(blocked.status).toBe(429);
    expect(pageText(await blocked.text())).toContain("Te veel ongeldige links");
    // Someone else (another address) can still confirm with the good link.
    expect((await new Client(app.url).post(good, {})).status).toBe(200);
  });
});

describe("outdated after a major release, and re-pledging", () => {
  async function publish(kind: "major" | "minor") {
    const ministry = await app.db.selectFrom("users").select(["id", "role", "organisation_id", "in_drafting_group", "suspended_at"]).where("email", "=", "ministerie@codewerf.test").executeTakeFirstOrThrow();
    const preview = await publishPreview(app.db, ministry, CODE);
    return publishRelease(app.db, ministry, {
      codeId: CODE,
      kind,
      expectedLatest: preview.latest?.version ?? "",
      notes: `Test ${kind}`,
      whyChanged: {},
      overrides: preview.readiness.filter((r) => !r.ready).map((r) => ({ sectionId: r.sectionId, reason: "test" })),
    });
  }

  it("a minor release (1.1) does not make 1.0 pledges outdated; 2.0 does, and invites signers to re-pledge after the redline", async () => {
    const yana = await app.db.selectFrom("pledges").select("id").where("public_name", "=", "Yana Peeters").executeTakeFirstOrThrow();
    const late = await newSigner();
    const lateForm = await signForm(late.client, { publicName: "Te Laat" });
    expect((await publish("minor")).version).toBe("1.1");
    // A form opened before 1.1 appeared signs nothing: the signer must read the new text first.
    const refused = await late.client.post("/pledge", lateForm);
    expect(refused.status).toBe(409);
    expect(pageText(await refused.text())).toContain("Intussen verscheen er een nieuwe versie van de code.");
    expect(await app.db.selectFrom("pledges").select("id").where("user_id", "=", late.id).execute()).toHaveLength(0);
    expect(await app.db.selectFrom("outbox").select("id").where("to_address", "=", late.email).execute()).toHaveLength(0);
    expect((await late.client.post("/pledge", await signForm(late.client, { publicName: "Te Laat" }))).status).toBe(302);
    expect((await badge(yana.id)).svg).toContain("Influencercode 1.0: ondertekend");
    expect((await registry("Yana")).json.pledges[0].status).toBe("active");
    expect(await app.db.selectFrom("outbox").select("id").where("to_address", "=", "creator1@codewerf.test").where("subject", "like", "%opnieuw%").execute()).toHaveLength(0);

    expect((await publish("major")).version).toBe("2.0");
    expect((await badge(yana.id)).svg).toContain("Influencercode 1.0: verouderd");
    const { json, html } = await registry("Yana");
    expect(json.pledges[0].status).toBe("outdated");
    expect(pageText(html)).toContain("verouderd");

    // The invitation is sent after the publication (asynchronously): poll with a deadline.
    const deadline = Date.now() + 10_000;
    let link: string | null = null;
    while (!link && Date.now() < deadline) link = await lastLink("creator1@codewerf.test", "renew").catch(() => null);
    expect(link).toBe("/pledge/renew");
    const creator1 = new Client(app.url);
    await creator1.login("creator1@codewerf.test");
    const renew = await (await creator1.get("/pledge/renew")).text();
    expect(pageText(renew)).toContain("Je ondertekende versie 1.0. Sindsdien verscheen hoofdversie 2.0.");
    expect(renew).toContain('class="redline"');
    expect(renew.indexOf('class="redline"')).toBeLessThan(renew.indexOf('name="textSha256"'));
    // Signing 2.0 from there: a new pledge, and the 1.0 one stays (outdated).
    const hash = /name="textSha256" value="([0-9a-f]{64})"/.exec(renew)![1];
    const res = await creator1.post("/pledge", { publicName: "Yana Peeters", instagram: "yanapeeters", tiktok: "", youtube: "", twitch: "", under13: "no", guardianEmail: "", textSha256: hash });
    expect(res.status).toBe(302);
  });
});
