// Releases in Chromium: a draft carrying script payloads (an <img onerror> node, a javascript:
// link, an onclick attribute, inserted as a raw Yjs update) is published and every page that
// shows it stays inert; the feed parses as XML; the HTML export reads without CSS; print.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { docName, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { publishPreview } from "../../app/models/releases.server";
import { appendUpdate, loadDocState } from "../../app/models/ydocs.server";
import { startTestApp, type TestApp } from "../support/app";
import { e2eEnabled, launchBrowser, newContext, signedInContext } from "../support/browser";
import { Client } from "../support/http";

const CODE = "influencercode";

describe.runIf(e2eEnabled)("releases in the browser", { timeout: 120_000 }, () => {
  let app: TestApp;
  let browser: Browser;
  let version: string;
  const dialogs: string[] = [];

  async function watched(page: Page): Promise<Page> {
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    return page;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    // The attack: a Yjs update that no editor would make, straight into the stored document.
    const name = docName(CODE, "reclame");
    const { state } = await loadDocState(app.db, name);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    const before = Y.encodeStateVector(doc);
    doc.transact(() => {
      const fragment = doc.getXmlFragment(YDOC_FRAGMENT);
      const image = new Y.XmlElement("image");
      image.setAttribute("src", "x");
      image.setAttribute("onerror", "alert('img-onerror')");
      const linked = new Y.XmlElement("paragraph");
      linked.setAttribute("onclick", "alert('p-onclick')");
      const text = new Y.XmlText();
      linked.insert(0, [text]);
      const raw = new Y.XmlElement("paragraph");
      raw.insert(0, [new Y.XmlText("<img src=x onerror=alert('raw-text')> «ruwe tekst»")]);
      fragment.insert(0, [image, linked, raw]);
      text.insert(0, "klik op deze link", { link: { href: "javascript:alert('js-link')", onmouseover: "alert('link-attr')" } });
    });
    await appendUpdate(app.db, name, Y.encodeStateAsUpdate(doc, before), []);
    doc.destroy();

    const ministry = new Client(app.url);
    await ministry.login("ministerie@codewerf.test");
    const actor = await app.db.selectFrom("users").select(["id", "role", "organisation_id", "in_drafting_group", "suspended_at"]).where("email", "=", "ministerie@codewerf.test").executeTakeFirstOrThrow();
    const preview = await publishPreview(app.db, actor, CODE);
    const form: Record<string, string> = { kind: "minor", expectedLatest: preview.latest?.version ?? "", notes: "Met een aanval in de tekst" };
    for (const r of preview.readiness.filter((x) => !x.ready)) Object.assign(form, { [`override.${r.sectionId}`]: "on", [`reason.${r.sectionId}`]: "test" });
    const res = await ministry.post(`/codes/${CODE}/publish`, form);
    expect(res.status).toBe(302);
    version = /releases\/([\d.]+)/.exec(res.headers.get("location") ?? "")![1];
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function expectInert(page: Page) {
    const link = page.getByText("klik op deze link").first();
    await link.waitFor();
    await link.hover();
    await link.click();
    await expect(page.getByText("«ruwe tekst»").first().isVisible()).resolves.toBe(true);
    const found = await page.evaluate(() => ({
      handlers: [...document.querySelectorAll("main *, body *")].filter((el) => [...el.attributes].some((a) => a.name.startsWith("on"))).length,
      images: document.querySelectorAll("main img").length,
      jsLinks: [...document.querySelectorAll("a[href]")].filter((a) => /^\s*javascript:/i.test(a.getAttribute("href") ?? "")).length,
    }));
    expect(found).toEqual({ handlers: 0, images: 0, jsLinks: 0 });
  }

  it("renders the payloads inert on the release page, the redline, the draft comparison and the HTML export", async () => {
    const { page } = await signedInContext(browser, app.url, "creator1@codewerf.test");
    await watched(page);
    for (const path of [`/codes/${CODE}/releases/${version}`, `/codes/${CODE}/releases/${version}/export?format=html`, `/codes/${CODE}/compare?from=${version}&to=draft`]) {
      await page.goto(path);
      if (path.includes("compare")) await page.locator("details#reclame summary, #reclame").first().click();
      await expectInert(page);
    }
    await page.goto(`/codes/${CODE}/compare?from=1.0&to=${version}`);
    await expect(page.locator("#reclame ins").first().textContent()).resolves.toContain("klik op deze link");
    await expect(page.locator("#reclame ins", { hasText: "<img src=x onerror" }).count()).resolves.toBe(1);
    await expect(page.locator("main img").count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("runs the page's scripts from the anonymous response cache: no CSP refusal, client-side navigation works", async () => {
    const page = await watched(await (await newContext(browser, app.url)).newPage());
    const refused: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to execute/i.test(m.text())) refused.push(m.text());
    });
    const hitsBefore = app.responseCache.stats().hits;
    await page.goto(`/codes/${CODE}/releases/1.0`);
    await page.reload();
    expect(app.responseCache.stats().hits).toBeGreaterThan(hitsBefore);
    // A hydrated page follows links itself: it asks for the next route's data, not a new document.
    const dataRequest = page.waitForRequest((r) => r.url().includes("_data="));
    await page.getByRole("link", { name: /Versies van de code/ }).click();
    await dataRequest;
    await page.waitForURL(`**/codes/${CODE}/releases`);
    expect(refused).toEqual([]);
  });

  it("serves an Atom feed that parses as XML and lists every release", async () => {
    const page = await watched(await (await newContext(browser, app.url)).newPage());
    await page.goto("/");
    const parsed = await page.evaluate(async (path) => {
      const xml = await (await fetch(path)).text();
      const doc = new DOMParser().parseFromString(xml, "application/xml");
      return {
        error: doc.getElementsByTagName("parsererror").length,
        root: doc.documentElement.localName,
        ns: doc.documentElement.namespaceURI,
        entries: [...doc.getElementsByTagName("entry")].map((e) => e.getElementsByTagName("title")[0].textContent),
      };
    }, `/codes/${CODE}/feed`);
    expect(parsed).toEqual({ error: 0, root: "feed", ns: "http://www.w3.org/2005/Atom", entries: [`Versie ${version}`, "Versie 1.0"] });
  });

  it("has an HTML export without any script that reads in order without CSS", async () => {
    const page = await watched(await (await newContext(browser, app.url)).newPage());
    await page.goto(`/codes/${CODE}/releases/1.0/export?format=html`);
    const view = await page.evaluate(() => {
      const scripts = document.scripts.length;
      for (const s of document.querySelectorAll("style, link[rel=stylesheet]")) s.remove();
      const headings = [...document.querySelectorAll("h1, h2")].map((h) => h.textContent);
      const hidden = [...document.querySelectorAll("body *")].filter((el) => (el as HTMLElement).offsetParent === null && el.tagName !== "BR").length;
      return { scripts, headings, hidden, text: document.body.innerText };
    });
    expect(view.scripts).toBe(0);
    expect(view.hidden).toBe(0);
    expect(view.headings[0]).toBe("Code voor en door influencers — versie 1.0");
    expect(view.headings).toContain("2. Eerlijk over reclame");
    expect(view.text).toContain("Je volgers vertrouwen je.");
    expect(view.text.indexOf("1. Voor en door influencers", view.text.indexOf("Inhoud") + 200)).toBeLessThan(view.text.indexOf("2. Eerlijk over reclame", view.text.indexOf("Inhoud") + 200));
  });

  it("prints only the text: no header, navigation or buttons", async () => {
    const page = await watched(await (await newContext(browser, app.url)).newPage());
    await page.goto(`/codes/${CODE}/releases/1.0#reclame`);
    await page.emulateMedia({ media: "print" });
    await expect(page.locator(".site-header").isVisible()).resolves.toBe(false);
    await expect(page.locator(".release-toc").isVisible()).resolves.toBe(false);
    await expect(page.locator("#reclame h2").isVisible()).resolves.toBe(true);
    await expect(page.locator("#reclame").textContent()).resolves.toContain("Je volgers vertrouwen je.");
  });
});
