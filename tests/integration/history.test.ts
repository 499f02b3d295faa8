// Version history and attribution against the real app, the real collaboration server and real
// y-websocket clients: idle versions, named versions, the list, restore while people are
// connected, who may name/restore, and which user wrote which Yjs items.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadDocState } from "../../app/models/ydocs.server";
import type { Attribution } from "../../app/models/attribution.server";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, fragmentText, insertText, waitFor, type TestClient } from "../support/collab";
import { Client, pageText } from "../support/http";

// Long enough that a save on a loaded machine finishes well inside it.
const IDLE_MS = 2500;
let app: TestApp;
const http: Record<string, Client> = {};
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { collab: { historyIdleMs: IDLE_MS, idleUnloadMs: 100 } });
  for (const who of ["creator1", "creator2", "creator3", "ministerie"]) {
    http[who] = new Client(app.url);
    await http[who].login(`${who}@codewerf.test`);
  }
});
afterAll(async () => {
  for (const c of clients) {
    try {
      c.destroy();
    } catch {
      // The forging client's doc changed its client id under its awareness; nothing to clean up.
    }
  }
  await app?.close();
});

function as(who: string, section: string, doc?: Y.Doc): TestClient {
  const c = connectClient(app.url, section, { cookie: http[who].cookie, origin: app.url }, { doc });
  clients.push(c);
  return c;
}

const userId = async (who: string) => (await app.db.selectFrom("users").select("id").where("email", "=", `${who}@codewerf.test`).executeTakeFirstOrThrow()).id;

function versions(section: string) {
  return app.db
    .selectFrom("section_versions")
    .selectAll()
    .where("code_id", "=", "influencercode")
    .where("section_id", "=", section)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

async function storedText(section: string): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await loadDocState(app.db, `influencercode/${section}`)).state);
  return fragmentText(doc);
}

/** Types `text` at the end of the first paragraph and waits for the server's "saved". */
async function typeAndSave(c: TestClient, text: string): Promise<void> {
  await waitFor(() => c.provider.synced, "client synced");
  const para = c.doc.getXmlFragment("default").get(0) as Y.XmlElement;
  const t = para.get(0) as Y.XmlText;
  insertText(c.doc, t.length, text);
  await waitFor(() => c.state.saved >= c.sent(), `"saved" for ${text}`);
}

describe("version history", () => {
  it("takes a version once editing has been idle for the configured time", async () => {
    const c1 = as("creator1", "voor-en-door");
    await typeAndSave(c1, " Idle-burst-woord een twee drie.");
    const savedAt = Date.now();
    expect((await versions("voor-en-door")).filter((v) => v.kind === "auto")).toHaveLength(0);
    await waitFor(async () => (await versions("voor-en-door")).some((v) => v.kind === "auto"), "an idle version", 10_000);
    expect(Date.now() - savedAt).toBeGreaterThanOrEqual(IDLE_MS - 100);
    const [initial, v] = await versions("voor-en-door");
    expect(initial.kind).toBe("initial");
    expect(v.kind).toBe("auto");
    expect(v.text).toContain("Idle-burst-woord een twee drie.");
    expect(v.author_ids).toEqual([await userId("creator1")]);
    expect(v.words_added).toBe(4);
    expect(v.words_removed).toBe(0);
    // Nothing changed since: the idle timer does not add a copy of the same text.
    await new Promise((r) => setTimeout(r, IDLE_MS * 1.5));
    expect(await versions("voor-en-door")).toHaveLength(2);
  });

  it("names a version and lists versions with time, authors and word-count change", async () => {
    const c2 = as("creator2", "voor-en-door");
    await typeAndSave(c2, " Tweede schrijver voegt vier woorden toe.");
    const res = await http.creator2.post("/codes/influencercode/sections/voor-en-door/history", { intent: "name", name: "Na overleg met Awel" });
    expect(res.status).toBe(200);
    const named = (await versions("voor-en-door")).find((v) => v.kind === "named")!;
    expect(named.name).toBe("Na overleg met Awel");
    expect(named.created_by).toBe(await userId("creator2"));
    expect(named.author_ids).toEqual([await userId("creator2")]);
    expect(named.words_added).toBe(6);
    expect(named.words_removed).toBe(0);

    const page = pageText(await (await http.creator3.get("/codes/influencercode/sections/voor-en-door/history")).text());
    expect(page).toContain("Na overleg met Awel");
    expect(page).toContain("Geschreven door Milan De Smet");
    expect(page).toContain("+6 woorden / −0");
    expect(page).toContain("Geschreven door Yana Peeters");
    expect(page).toContain("Startversie");
  });

  it("restores a version live for everyone connected, as a new change that keeps the history", async () => {
    const c1 = as("creator1", "jong-publiek");
    const c2 = as("creator2", "jong-publiek");
    await typeAndSave(c1, " EERSTE-VERSIE");
    await http.creator1.post("/codes/influencercode/sections/jong-publiek/history", { intent: "name", name: "V1" });
    const v1 = (await versions("jong-publiek")).find((v) => v.name === "V1")!;
    await typeAndSave(c2, " TWEEDE-TEKST");
    await waitFor(() => c1.text().includes("TWEEDE-TEKST"), "c1 sees c2's edit");

    const res = await http.ministerie.post(`/codes/influencercode/sections/jong-publiek/history/${v1.id}`, { intent: "restore" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/codes/influencercode/sections/jong-publiek/history?restored=1");

    for (const c of [c1, c2]) await waitFor(() => !c.text().includes("TWEEDE-TEKST") && c.text().includes("EERSTE-VERSIE"), "restored text arrives live");
    expect(c1.text()).toBe(c2.text());
    const stored = await storedText("jong-publiek");
    expect(stored).toBe(c1.text());
    expect(stored).not.toContain("TWEEDE-TEKST");

    const all = await versions("jong-publiek");
    const restore = all.find((v) => v.kind === "restore")!;
    expect(restore.restored_from).toBe(v1.id);
    expect(restore.created_by).toBe(await userId("ministerie"));
    expect(restore.words_removed).toBe(1);
    // Nothing was rewritten: V1 and the text just before the restore are still versions.
    expect(all.map((v) => v.id)).toContain(v1.id);
    expect(all.some((v) => v.kind === "auto" && v.text.includes("TWEEDE-TEKST"))).toBe(true);
    // The restore is an edit by the ministry like any other.
    const ministry = await userId("ministerie");
    const editors = async () =>
      (await app.db.selectFrom("audit_events").select("actor_id").where("action", "=", "section.edited").where("subject_id", "=", "influencercode/jong-publiek").execute()).map((e) => e.actor_id);
    await waitFor(async () => (await editors()).includes(ministry), "a section.edited event by the ministry");

    const page = pageText(await (await http.creator1.get("/codes/influencercode/sections/jong-publiek/history?restored=1")).text());
    expect(page).toContain("Hersteld van “V1”");
    // The clients keep editing on top of the restored text.
    await typeAndSave(c2, " DAARNA");
    await waitFor(() => c1.text().includes("DAARNA"), "edits after the restore relay");
  });

  it("restores a section that nobody has open (the document is loaded for it)", async () => {
    await http.creator1.post("/codes/influencercode/sections/zelfdoding/history", { intent: "name", name: "Voor de wijziging" });
    const before = (await versions("zelfdoding")).find((v) => v.name === "Voor de wijziging")!;
    const openDocs = () => (app.collab!.health().collab as { docs: number }).docs;
    const open = openDocs();
    const c = as("creator1", "zelfdoding");
    await typeAndSave(c, " WEG-TE-HALEN");
    c.destroy();
    await waitFor(() => openDocs() === open, "the document is unloaded", 10_000);
    const res = await http.creator2.post(`/codes/influencercode/sections/zelfdoding/history/${before.id}`, { intent: "restore" });
    expect(res.status).toBe(302);
    const stored = await storedText("zelfdoding");
    expect(stored).not.toContain("WEG-TE-HALEN");
    const old = new Y.Doc();
    Y.applyUpdate(old, before.state);
    expect(stored).toBe(fragmentText(old));
    const again = as("creator3", "zelfdoding");
    await waitFor(() => again.provider.synced, "a late reader syncs");
    expect(again.text()).toBe(stored);
  });

  it("shows a version read-only with a word-level redline against the current text", async () => {
    const v1 = (await versions("jong-publiek")).find((v) => v.name === "V1")!;
    const html = await (await http.creator3.get(`/codes/influencercode/sections/jong-publiek/history/${v1.id}`)).text();
    expect(html).toMatch(/<ins>.*DAARNA.*<\/ins>/s);
    expect(html).not.toContain('name="intent" value="restore"');
    const editorHtml = await (await http.creator1.get(`/codes/influencercode/sections/jong-publiek/history/${v1.id}`)).text();
    expect(editorHtml).toContain('name="intent" value="restore"');
  });

  it("refuses naming and restoring to read-only users and the anonymous public", async () => {
    const v1 = (await versions("jong-publiek")).find((v) => v.name === "V1")!;
    const before = await versions("jong-publiek");
    const textBefore = await storedText("jong-publiek");
    const anonymous = new Client(app.url);
    for (const who of [http.creator3, anonymous]) {
      const named = await who.post("/codes/influencercode/sections/jong-publiek/history", { intent: "name", name: "Sneaky" });
      expect(named.status).toBe(403);
      const restored = await who.post(`/codes/influencercode/sections/jong-publiek/history/${v1.id}`, { intent: "restore" });
      expect(restored.status).toBe(403);
    }
    // An idle version of the previous test's edits may still land meanwhile; what must not
    // appear is anything named or restored by these two.
    const after = await versions("jong-publiek");
    expect(after.filter((v) => !before.some((b) => b.id === v.id) && v.kind !== "auto")).toEqual([]);
    expect(await storedText("jong-publiek")).toBe(textBefore);
  });
});

/** The text of the first paragraph as runs of [author name, text], per character by its Yjs id. */
function textByAuthor(doc: Y.Doc, a: Attribution): [string, string][] {
  const authorOf = (client: number, clock: number) => {
    const r = a.ranges.find(([c, from, to]) => c === client && clock >= from && clock < to);
    return r ? (a.authors[r[3]].name ?? "deleted") : "?";
  };
  const text = (doc.getXmlFragment("default").get(0) as Y.XmlElement).get(0) as Y.XmlText;
  const runs: [string, string][] = [];
  for (let item = text._start; item; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
    const s = item.content.str;
    for (let i = 0; i < s.length; i++) {
      const who = authorOf(item.id.client, item.id.clock + i);
      const last = runs[runs.length - 1];
      if (last && last[0] === who) last[1] += s[i];
      else runs.push([who, s[i]]);
    }
  }
  return runs;
}

describe("attribution", () => {
  it("credits each client's text to its user, and a forged client id claims nothing", async () => {
    const c1 = as("creator1", "hulpvraag");
    const c2 = as("creator2", "hulpvraag");
    await typeAndSave(c1, " AAA-van-yana");
    await waitFor(() => c2.text().includes("AAA-van-yana"), "c2 has c1's text");
    await typeAndSave(c2, " BBB-van-milan");
    await waitFor(() => c1.text().includes("BBB-van-milan"), "c1 has c2's text");

    // creator2 forges creator1's client id: replays creator1's items and appends new ones under that id.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(c1.doc));
    forged.clientID = c1.doc.clientID;
    insertText(forged, ((forged.getXmlFragment("default").get(0) as Y.XmlElement).get(0) as Y.XmlText).length, " FORGED-door-milan");
    const f = as("creator2", "hulpvraag", forged);
    await waitFor(() => c1.text().includes("FORGED-door-milan"), "the forged text arrives");
    await waitFor(() => f.state.saved >= f.sent() && f.sent() > 0, "the forged edit is stored");

    const attributionOf = async () => (await (await http.creator3.get("/codes/influencercode/sections/hulpvraag/attribution")).json()) as Attribution;
    let runs: [string, string][] = [];
    await waitFor(async () => {
      runs = textByAuthor(c1.doc, await attributionOf());
      return runs.some(([who, t]) => who === "Milan De Smet" && t.includes("FORGED"));
    }, "attribution of every text");
    const byAuthor = (name: string) => runs.filter(([n]) => n === name).map(([, t]) => t).join("|");
    expect(byAuthor("Yana Peeters")).toContain("AAA-van-yana");
    expect(byAuthor("Milan De Smet")).toContain("BBB-van-milan");
    // Text under creator1's client id that creator2 sent is creator2's; creator1's stays creator1's.
    expect(byAuthor("Milan De Smet")).toContain("FORGED-door-milan");
    expect(byAuthor("Yana Peeters")).not.toContain("FORGED");
    expect(byAuthor("Milan De Smet")).not.toContain("AAA");
    // The seeded text predates recorded authorship.
    expect(runs[0][0]).toBe("?");
  });
});

describe("a version named right after typing", () => {
  // The change hook (authors, audit events) is throttled; here so long that only waiting for it
  // explicitly can bring the second writer's edit in.
  let slow: TestApp;
  const slowHttp: Record<string, Client> = {};
  beforeAll(async () => {
    slow = await startTestApp({}, { collab: { hookIntervalMs: 60_000 } });
    for (const who of ["creator1", "creator2"]) {
      slowHttp[who] = new Client(slow.url);
      await slowHttp[who].login(`${who}@codewerf.test`);
    }
  });
  afterAll(async () => slow?.close());

  it("credits everyone whose edit was saved, even while the change hook waits out its throttle", async () => {
    const section = "reclame";
    const c1 = connectClient(slow.url, section, { cookie: slowHttp.creator1.cookie, origin: slow.url });
    const c2 = connectClient(slow.url, section, { cookie: slowHttp.creator2.cookie, origin: slow.url });
    clients.push(c1, c2);
    await typeAndSave(c1, " Eerst Yana.");
    // The first batch goes through the hook at once; the next one waits in the throttle's pause.
    await waitFor(async () => (await slow.db.selectFrom("audit_events").select("id").where("action", "=", "section.edited").where("subject_id", "=", `influencercode/${section}`).execute()).length > 0, "the first edit recorded");
    await waitFor(() => c2.provider.synced && fragmentText(c2.doc).includes("Eerst Yana."), "c2 has c1's edit");
    await typeAndSave(c2, " Dan Milan.");
    const res = await slowHttp.creator2.post(`/codes/influencercode/sections/${section}/history`, { intent: "name", name: "Samen geschreven" });
    expect(res.status).toBe(200);
    const named = (await slow.db.selectFrom("section_versions").selectAll().where("section_id", "=", section).where("kind", "=", "named").executeTakeFirstOrThrow());
    const ids = async (who: string) => (await slow.db.selectFrom("users").select("id").where("email", "=", `${who}@codewerf.test`).executeTakeFirstOrThrow()).id;
    expect([...(named.author_ids as string[])].sort()).toEqual([await ids("creator1"), await ids("creator2")].sort());
  });
});
