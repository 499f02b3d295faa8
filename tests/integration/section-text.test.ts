// The section page caches its rendered text per document version: every stored edit, a
// compaction and a deletion must show at the very next request, never the older text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { docName, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { sectionText } from "../../app/models/sections.server";
import { appendUpdate, compactDoc, loadDocState } from "../../app/models/ydocs.server";
import { startTestApp, type TestApp } from "../support/app";
import { Client } from "../support/http";

const PAGE = "/codes/influencercode/sections/zelfdoding";
const NAME = docName("influencercode", "zelfdoding");

let app: TestApp;
let client: Client;
beforeAll(async () => {
  app = await startTestApp();
  client = new Client(app.url);
  await client.login("creator1@codewerf.test");
});
afterAll(async () => app?.close());

/** Applies `change` to the stored document and appends the difference as one update row. */
async function edit(change: (fragment: Y.XmlFragment) => void): Promise<void> {
  const { state } = await loadDocState(app.db, NAME);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  change(doc.getXmlFragment(YDOC_FRAGMENT));
  await appendUpdate(app.db, NAME, Y.encodeStateAsUpdate(doc, before), []);
  doc.destroy();
}

function appendParagraph(text: string) {
  return (fragment: Y.XmlFragment) => {
    const p = new Y.XmlElement("paragraph");
    p.insert(0, [new Y.XmlText(text)]);
    fragment.insert(fragment.length, [p]);
  };
}

async function page(): Promise<string> {
  const res = await client.get(PAGE);
  expect(res.status).toBe(200);
  return res.text();
}

describe("section text on the page", () => {
  it("shows every stored edit at the next request, across compaction and deletion", async () => {
    expect(await page()).toContain("Praten over zelfdoding");
    expect(await page()).not.toContain("«eerste»");

    await edit(appendParagraph("«eerste»"));
    expect(await page()).toContain("«eerste»");

    await edit(appendParagraph("«tweede»"));
    const both = await page();
    expect(both).toContain("«eerste»");
    expect(both).toContain("«tweede»");

    await compactDoc(app.db, NAME);
    const compacted = await page();
    expect(compacted).toContain("«eerste»");
    expect(compacted).toContain("«tweede»");

    await edit((fragment) => fragment.delete(fragment.length - 1, 1));
    const afterDelete = await page();
    expect(afterDelete).toContain("«eerste»");
    expect(afterDelete).not.toContain("«tweede»");
  });

  it("sectionText answers the same as a fresh render after each change", async () => {
    const first = await sectionText(app.db, "influencercode", "zelfdoding");
    expect(await sectionText(app.db, "influencercode", "zelfdoding")).toBe(first); // cached
    await edit(appendParagraph("«derde»"));
    const next = await sectionText(app.db, "influencercode", "zelfdoding");
    expect(next).not.toBe(first);
    expect(next.html).toContain("«derde»");
    expect(next.words).toBe(first.words + 1);
  });

  it("stays up when a client put nodes outside the schema into the document", async () => {
    // Any editor can send this through the websocket: an unknown `image` node with a handler,
    // a stray attribute and a javascript: link. The page must neither fail nor carry them.
    await edit((fragment) => {
      const img = new Y.XmlElement("image");
      const p = new Y.XmlElement("paragraph");
      fragment.insert(fragment.length, [img, p]);
      img.setAttribute("src", "x");
      img.setAttribute("onerror", "alert(1)");
      p.setAttribute("onclick", "alert(2)");
      const t = new Y.XmlText();
      p.insert(0, [t]);
      t.insert(0, "«klik»", { link: { href: "javascript:alert(3)" } });
      t.insert(t.length, " «na de rommel»");
    });
    const html = await page();
    expect(html).toContain("«na de rommel»");
    expect(html).toContain("«klik»");
    expect(html).not.toMatch(/onerror|onclick|javascript:alert|<img/);
  });
});
