// Releases over HTTP on a real database: only the ministry publishes, published rows are
// immutable (at the database), racing publishes give one version and a 409, overrides are
// required and shown, the redline and clause anchors, exports, the feed and the JSON API.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { docName, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { compareSections, getRelease, publishPreview, publishRelease, releaseJson, type ReleaseSection } from "../../app/models/releases.server";
import { appendUpdate, loadDocState } from "../../app/models/ydocs.server";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

const CODE = "influencercode";
const PUBLISH = `/codes/${CODE}/publish`;

let app: TestApp;
let ministry: Client;

beforeAll(async () => {
  app = await startTestApp();
  ministry = new Client(app.url);
  await ministry.login("ministerie@codewerf.test");
});
afterAll(async () => app?.close());

async function releaseCount(): Promise<number> {
  const row = await app.db.selectFrom("releases").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function ministryActor() {
  return app.db.selectFrom("users").select(["id", "role", "organisation_id", "in_drafting_group", "suspended_at"]).where("email", "=", "ministerie@codewerf.test").executeTakeFirstOrThrow();
}

/** Sections that are not ready right now (they need a named override to publish). */
async function unreadySections(): Promise<string[]> {
  const preview = await publishPreview(app.db, await ministryActor(), CODE);
  return preview.readiness.filter((r) => !r.ready).map((r) => r.sectionId);
}

async function latestVersion(): Promise<string> {
  const row = await app.db.selectFrom("releases").select("version").where("code_id", "=", CODE).orderBy("major", "desc").orderBy("minor", "desc").executeTakeFirst();
  return row?.version ?? "";
}

/** A complete publish form: overriding every unready section unless told otherwise. */
async function publishForm(extra: Record<string, string> = {}, opts: { skipOverride?: string } = {}): Promise<Record<string, string>> {
  const form: Record<string, string> = { kind: "minor", expectedLatest: await latestVersion(), notes: "Verduidelijkingen." };
  for (const id of await unreadySections()) {
    if (id === opts.skipOverride) continue;
    form[`override.${id}`] = "on";
    form[`reason.${id}`] = `Reden voor ${id}`;
  }
  return { ...form, ...extra };
}

/** Applies `change` to a section's stored document as one update row (as the editor would). */
async function editSection(sectionId: string, change: (fragment: Y.XmlFragment) => void): Promise<void> {
  const name = docName(CODE, sectionId);
  const { state } = await loadDocState(app.db, name);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  change(doc.getXmlFragment(YDOC_FRAGMENT));
  await appendUpdate(app.db, name, Y.encodeStateAsUpdate(doc, before), []);
  doc.destroy();
}

describe("the seeded release", () => {
  it("holds 1.0 from the seeded text, and the draft differs from it", async () => {
    const list = await (await new Client(app.url).get(`/api/codes/${CODE}/releases`)).json();
    expect(list.releases.map((r: { version: string }) => r.version)).toEqual(["1.0"]);
    const res = await ministry.get(`/codes/${CODE}/compare?from=1.0&to=draft`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-section="reclame" data-status="changed"/);
    expect(html).toContain("affiliate link");
  });
});

describe("publishing is for the ministry only", () => {
  for (const email of ["awel@codewerf.test", "agency@codewerf.test", "creator1@codewerf.test", "creator3@codewerf.test"]) {
    it(`refuses ${email}: the page and a crafted POST answer 403, nothing is written`, async () => {
      const client = new Client(app.url);
      await client.login(email);
      const before = await releaseCount();
      expect((await client.get(PUBLISH)).status).toBe(403);
      const res = await client.post(PUBLISH, await publishForm());
      expect(res.status).toBe(403);
      expect(await releaseCount()).toBe(before);
    });
  }

  it("sends the anonymous public to /login and writes nothing", async () => {
    const before = await releaseCount();
    const res = await new Client(app.url).post(PUBLISH, await publishForm());
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
    expect(await releaseCount()).toBe(before);
  });
});

describe("published releases are immutable", () => {
  it("refuses UPDATE and DELETE at the database, and 1.0's JSON stays byte-identical after 1.1", async () => {
    const anyone = new Client(app.url);
    const api = await anyone.get(`/api/codes/${CODE}/releases/1.0`);
    const exported = await anyone.get(`/codes/${CODE}/releases/1.0/export?format=json`);
    const apiBefore = await api.text();
    const exportBefore = await exported.text();

    const id = (await app.db.selectFrom("releases").select("id").where("version", "=", "1.0").executeTakeFirstOrThrow()).id;
    await expect(sql`update releases set notes = 'gewijzigd' where id = ${id}`.execute(app.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from releases where id = ${id}`.execute(app.db)).rejects.toThrow(/immutable/);
    await expect(sql`update release_sections set html = '<p>x</p>' where release_id = ${id}`.execute(app.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from release_sections where release_id = ${id}`.execute(app.db)).rejects.toThrow(/immutable/);
    // Only the publisher's account link may be cleared (ON DELETE SET NULL of a deleted account), nothing with it.
    await expect(sql`update releases set published_by = null, notes = 'gewijzigd' where id = ${id}`.execute(app.db)).rejects.toThrow(/immutable/);
    await expect(sql`update releases set published_by = gen_random_uuid() where id = ${id}`.execute(app.db)).rejects.toThrow(/immutable|foreign key/);

    const res = await ministry.post(PUBLISH, await publishForm({ notes: "Versie 1.1" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/codes/${CODE}/releases/1.1?published=1`);

    expect(await (await anyone.get(`/api/codes/${CODE}/releases/1.0`)).text()).toBe(apiBefore);
    expect(await (await anyone.get(`/codes/${CODE}/releases/1.0/export?format=json`)).text()).toBe(exportBefore);
    // Rendered afresh from the rows (this test's own module has no cached copy): still the same bytes.
    expect(releaseJson(await getRelease(app.db, CODE, "1.0"), app.url).body).toBe(apiBefore);
  });
});

describe("concurrent publishing", () => {
  it("gives exactly one new version; the other session gets a 409 with a clear message", async () => {
    const second = new Client(app.url);
    await second.login("ministerie@codewerf.test");
    const before = await releaseCount();
    const form = await publishForm({ notes: "Tegelijk" });
    const answers = await Promise.all([ministry.post(PUBLISH, form), second.post(PUBLISH, form)]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([302, 409]);
    const refused = answers.find((r) => r.status === 409)!;
    expect(pageText(await refused.text())).toContain("Intussen werd er al een nieuwe versie gepubliceerd");
    expect(await releaseCount()).toBe(before + 1);
  });
});

describe("deleting the publisher's account", () => {
  it("is possible: the release keeps everything but the link to the account", async () => {
    const user = await app.db
      .insertInto("users")
      .values({ email: "tijdelijk@codewerf.test", display_name: "Tijdelijke Redacteur", role: "ministry", organisation_id: "ministry", password_hash: null })
      .returning(["id", "role", "organisation_id", "in_drafting_group", "suspended_at"])
      .executeTakeFirstOrThrow();
    const form = await publishForm();
    const overrides = Object.keys(form).filter((k) => k.startsWith("override.")).map((k) => ({ sectionId: k.slice(9), reason: "test" }));
    const release = await publishRelease(app.db, user, { codeId: CODE, kind: "minor", expectedLatest: form.expectedLatest, notes: "Door een tijdelijke account", whyChanged: {}, overrides });
    await app.db.deleteFrom("users").where("id", "=", user.id).execute();
    const row = await app.db.selectFrom("releases").select(["published_by", "notes", "version"]).where("id", "=", release.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ published_by: null, notes: "Door een tijdelijke account", version: release.version });
  });
});

describe("overrides", () => {
  it("refuses to publish an unready section that is not named, and records and shows a named one", async () => {
    const unready = await unreadySections();
    expect(unready.length).toBeGreaterThan(0);
    const target = unready[0];
    const before = await releaseCount();
    const refused = await ministry.post(PUBLISH, await publishForm({}, { skipOverride: target }));
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain("Geef een reden om dit hoofdstuk toch te publiceren.");
    // Ticked but without a reason is not naming it either.
    const noReason = await ministry.post(PUBLISH, await publishForm({ [`override.${target}`]: "on", [`reason.${target}`]: " " }));
    expect(noReason.status).toBe(400);
    expect(await releaseCount()).toBe(before);

    const ok = await ministry.post(PUBLISH, await publishForm({ [`reason.${target}`]: "De experten keurden dit mondeling goed." }));
    expect(ok.status).toBe(302);
    const version = await latestVersion();
    const row = await app.db.selectFrom("releases").select(["overrides", "review_states"]).where("version", "=", version).executeTakeFirstOrThrow();
    expect(row.overrides).toContainEqual({ sectionId: target, reason: "De experten keurden dit mondeling goed." });
    expect((row.review_states as { sectionId: string }[]).map((r) => r.sectionId)).toContain(target);

    const page = await new Client(app.url).get(`/codes/${CODE}/releases/${version}`);
    const html = await page.text();
    expect(html).toContain('data-testid="overrides"');
    expect(pageText(html)).toContain("De experten keurden dit mondeling goed.");
  });
});

describe("the publish page", () => {
  it("shows readiness and pre-fills 'waarom dit veranderde' from review threads resolved since the last release", async () => {
    await editSection("reclame", (fragment) => {
      const p = new Y.XmlElement("paragraph");
      p.insert(0, [new Y.XmlText("Kortingscodes zijn ook reclame.")]);
      fragment.push([p]);
    });
    const thread = await sql<{ id: string }>`
      insert into comment_threads (code_id, section_id, quote, status, resolved_at)
      values (${CODE}, 'reclame', 'Zeg het meteen', 'resolved', now()) returning id`.execute(app.db);
    await sql`insert into comments (thread_id, body) values (${thread.rows[0].id}, 'Vermeld ook kortingscodes als reclame, vroeg Mediawijs.')`.execute(app.db);
    const hidden = await sql<{ id: string }>`
      insert into comment_threads (code_id, section_id, status, resolved_at) values (${CODE}, 'reclame', 'resolved', now()) returning id`.execute(app.db);
    await sql`insert into comments (thread_id, body, hidden_at) values (${hidden.rows[0].id}, 'verborgen scheldwoord', now())`.execute(app.db);

    const res = await ministry.get(PUBLISH);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="readiness"');
    const field = /<textarea[^>]*name="why\.reclame"[^>]*>([^<]*)<\/textarea>/.exec(html);
    expect(field?.[1]).toContain("Vermeld ook kortingscodes als reclame, vroeg Mediawijs.");
    expect(html).not.toContain("verborgen scheldwoord");
  });
});

describe("compare", () => {
  const side = (version: string, sections: [string, string, string][]): { version: string; sections: ReleaseSection[] } => ({
    version,
    sections: sections.map(([sectionId, title, text], i) => ({ sectionId, title, text, position: i + 1, html: `<p>${text}</p>`, contentJson: { type: "doc" }, whyChanged: `waarom ${sectionId}` })),
  });

  it("marks an added, a removed, a renamed and an edited section, word by word", () => {
    const from = side("1.0", [
      ["reclame", "Eerlijk over reclame", "Zeg het meteen in je video."],
      ["jong-publiek", "Als je publiek jong is", "Geen druk op kinderen."],
      ["oud", "Oud hoofdstuk", "Dit verdwijnt."],
      ["gokken", "Gokken", "Geen reclame voor gokken."],
    ]);
    const to = side("1.1", [
      ["reclame", "Eerlijk over reclame", "Zeg het altijd meteen in je video."],
      ["jong-publiek", "Een jong publiek", "Geen druk op kinderen."],
      ["gokken", "Gokken", "Geen reclame voor gokken."],
      ["nieuw", "Nieuw hoofdstuk", "Dit is nieuw."],
    ]);
    const { changes, counts } = compareSections(from, to);
    expect(counts).toEqual({ added: 1, removed: 1, changed: 2, unchanged: 1 });
    const by = Object.fromEntries(changes.map((c) => [c.sectionId, c]));
    expect(by.reclame.status).toBe("changed");
    expect(by.reclame.parts.filter((p) => p.added).map((p) => p.value.trim())).toEqual(["altijd"]);
    expect(by.reclame.parts.some((p) => p.removed)).toBe(false);
    expect(by.reclame.whyChanged).toBe("waarom reclame");
    expect(by["jong-publiek"]).toMatchObject({ status: "changed", renamed: true, textChanged: false, fromTitle: "Als je publiek jong is", toTitle: "Een jong publiek" });
    expect(by.oud).toMatchObject({ status: "removed", parts: [{ value: "Dit verdwijnt.", removed: true }] });
    expect(by.nieuw).toMatchObject({ status: "added", parts: [{ value: "Dit is nieuw.", added: true }] });
    expect(by.gokken.status).toBe("unchanged");
    expect(by.gokken.moved).toBe(false);
    // The removed section stays where it was, between its old neighbours.
    expect(changes.map((c) => c.sectionId)).toEqual(["reclame", "jong-publiek", "oud", "gokken", "nieuw"]);

    const moved = compareSections(from, side("1.2", [from.sections[1], from.sections[0], from.sections[2], from.sections[3]].map((s) => [s.sectionId, s.title, s.text])));
    expect(moved.changes.filter((c) => c.moved).map((c) => c.sectionId).sort()).toEqual(["jong-publiek", "reclame"]);
  });

  it("shows an edit and a rename between two published releases, and #reclame is the same clause in both", async () => {
    await editSection("reclame", (fragment) => {
      const text = (fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText;
      text.insert(0, "Altijd duidelijk: ");
    });
    await app.db.updateTable("sections").set({ title: "Jonge volgers" }).where("code_id", "=", CODE).where("id", "=", "jong-publiek").execute();
    const from = await latestVersion();
    const res = await ministry.post(PUBLISH, await publishForm({ "why.reclame": "Mediawijs vroeg om het meteen te zeggen." }));
    expect(res.status).toBe(302);
    const to = await latestVersion();

    const page = await new Client(app.url).get(`/codes/${CODE}/compare?from=${from}&to=${to}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const reclame = html.slice(html.indexOf('data-section="reclame"'), html.indexOf("</section>", html.indexOf('data-section="reclame"')));
    expect(reclame).toContain('data-status="changed"');
    expect(reclame).toMatch(/<ins>.*Altijd.*duidelijk:.*<\/ins>/s);
    expect(reclame).toContain("Mediawijs vroeg om het meteen te zeggen.");
    const renamed = html.slice(html.indexOf('data-section="jong-publiek"'));
    expect(renamed).toMatch(/data-change="renamed"[^>]*>Nieuwe titel \(was: Als je publiek jong is\)/);
    expect(html).toMatch(/<details[^>]*id="zelfdoding"[^>]*data-status="unchanged"/);

    for (const version of ["1.0", to]) {
      const release = await new Client(app.url).get(`/codes/${CODE}/releases/${version}`);
      const text = await release.text();
      const clause = text.slice(text.indexOf('id="reclame"'), text.indexOf("</section>", text.indexOf('id="reclame"')));
      expect(clause).toContain("Eerlijk over reclame");
      expect(clause).toContain("Je volgers vertrouwen je.");
    }
  });

  it("sends the public to /login for to=draft", async () => {
    const res = await new Client(app.url).get(`/codes/${CODE}/compare?from=1.0&to=draft`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });
});

describe("exports and open data", () => {
  it("exports md, json and html that match the release's content", async () => {
    const release = await getRelease(app.db, CODE, "1.0");
    const anyone = new Client(app.url);
    const md = await (await anyone.get(`/codes/${CODE}/releases/1.0/export?format=md`)).text();
    const doc = await (await anyone.get(`/codes/${CODE}/releases/1.0/export?format=json`)).json();
    const htmlRes = await anyone.get(`/codes/${CODE}/releases/1.0/export?format=html`);
    const html = await htmlRes.text();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.version).toBe("1.0");
    expect(doc.sections.map((s: { id: string }) => s.id)).toEqual(release.sections.map((s) => s.sectionId));
    // Markdown without its markup (escapes, emphasis, link targets), and text without spacing.
    const mdText = md.replace(/\]\([^)]*\)/g, "").replace(/\\([\\`*_[\]])/g, "$1").replace(/[*[\]]/g, "");
    const squeeze = (s: string) => s.replace(/\s+/g, "");
    for (const [i, s] of release.sections.entries()) {
      expect(md).toContain(`## ${s.position}. ${s.title} {#${s.sectionId}}`);
      expect(doc.sections[i]).toMatchObject({ title: s.title, text: s.text, html: s.html });
      expect(html).toContain(`<section id="${s.sectionId}">`);
      expect(html).toContain(s.html);
      for (const line of s.text.split("\n").filter(Boolean)) {
        expect(squeeze(pageText(html))).toContain(squeeze(line));
        expect(squeeze(mdText)).toContain(squeeze(line));
      }
    }
    // Standalone HTML: no script anywhere, semantic structure that reads without any CSS.
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<h1>Code voor en door influencers — versie 1.0</h1>");
    expect(html).toMatch(/<nav aria-label="Inhoud">[\s\S]*<a href="#reclame">2\. Eerlijk over reclame<\/a>/);
    expect(htmlRes.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
  });

  it("serves immutable resources with a strong ETag, long caching, 304 and CORS", async () => {
    const anyone = new Client(app.url);
    for (const path of [`/api/codes/${CODE}/releases/1.0`, `/codes/${CODE}/releases/1.0/export?format=md`]) {
      const res = await anyone.get(path, { Origin: "https://elders.example" });
      expect(res.status).toBe(200);
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const again = await anyone.get(path, { "If-None-Match": etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    }
    const list = await anyone.get(`/api/codes/${CODE}/releases`);
    expect(list.headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await fetch(`${app.url}/api/codes/${CODE}/releases/1.0`, { method: "OPTIONS", headers: { Origin: "https://elders.example", "Access-Control-Request-Method": "GET" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
    expect((await anyone.get(`/api/codes/${CODE}/releases/9.9`)).status).toBe(404);
  });

  it("lists every release in the Atom feed, newest first", async () => {
    const res = await new Client(app.url).get(`/codes/${CODE}/feed`);
    expect(res.headers.get("content-type")).toContain("application/atom+xml");
    const xml = await res.text();
    const versions = (await app.db.selectFrom("releases").select("version").orderBy("major", "desc").orderBy("minor", "desc").execute()).map((r) => r.version);
    const titles = [...xml.matchAll(/<entry>[\s\S]*?<title type="html"><!\[CDATA\[(.*?)\]\]><\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(versions.map((v) => `Versie ${v}`));
  });

  it("shows the current release on the home page and lists releases newest first", async () => {
    const latest = await latestVersion();
    const home = await (await new Client(app.url).get("/")).text();
    expect(pageText(home)).toContain(`Lees versie ${latest}`);
    const list = await (await new Client(app.url).get(`/codes/${CODE}/releases`)).text();
    const order = [...list.matchAll(/data-version="([\d.]+)"/g)].map((m) => m[1]);
    expect(order[0]).toBe(latest);
    expect(order.at(-1)).toBe("1.0");
  });
});
