// Version history in real Chromium with two people: edit, name a version, edit more, read the
// redline, restore the named version — the other person sees the restored text live and the
// history says "Hersteld van …"; the attribution toggle colours text by author. Hostile content
// put into the Y.Doc stays inert in the history views.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { e2eEnabled, launchBrowser } from "../support/browser";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, waitFor } from "../support/collab";
import { Client } from "../support/http";
import { NAMES, editorText, openSection, person, sectionPath, typeAtEndOfFirstParagraph, until, waitStatus, watch } from "./editor-support";

describe.runIf(e2eEnabled)("version history in the browser", { timeout: 180_000 }, () => {
  let browser: Browser;
  let app: TestApp;

  beforeAll(async () => {
    const [b, a] = await Promise.all([launchBrowser(), startTestApp({}, { collab: {} })]);
    browser = b;
    app = a;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function watchedPage(p: { context: { newPage(): Promise<Page> }; alarms: string[] }): Promise<Page> {
    const page = await p.context.newPage();
    watch(page, p.alarms, []);
    return page;
  }

  it("edit, name, edit more, diff, restore: the other person sees the restored text live and the history says so", async () => {
    const section = "kinderen-in-beeld";
    const yana = await person(browser, app.url, "creator1@codewerf.test");
    const lien = await person(browser, app.url, "awel@codewerf.test");
    await Promise.all([openSection(yana.page, section), openSection(lien.page, section)]);
    await Promise.all([waitStatus(yana.page, "connected"), waitStatus(lien.page, "connected")]);

    await typeAtEndOfFirstParagraph(yana.page, " Eerste-stap.");
    await waitStatus(yana.page, "saved");

    const history = await watchedPage(yana);
    await history.goto(`${sectionPath(section)}/history`);
    await history.locator("#field-name").fill("Mijn versie");
    await history.getByRole("button", { name: "Versie bewaren" }).click();
    await history.getByText("Bewaard als versie “Mijn versie”.").waitFor();

    await typeAtEndOfFirstParagraph(yana.page, " Tweede-stap.");
    await waitStatus(yana.page, "saved");
    await until(async () => (await editorText(lien.page)).includes("Tweede-stap."), "Lien sees the second edit");

    await history.goto(`${sectionPath(section)}/history`);
    await history.getByRole("link", { name: "Mijn versie" }).click();
    await history.waitForURL(/\/history\/[0-9a-f-]{36}$/);
    await expect(history.getByTestId("version-text").textContent()).resolves.toContain("Eerste-stap.");
    await expect(history.getByTestId("version-text").textContent()).resolves.not.toContain("Tweede-stap.");
    const inserted = (await history.locator("[data-testid=redline] ins").allTextContents()).join(" ");
    expect(inserted).toContain("Tweede-stap.");

    await history.getByRole("button", { name: "Deze versie terugzetten" }).click();
    await history.waitForURL(/\/history\?restored=1$/);
    await history.getByText("Hersteld van “Mijn versie”").first().waitFor();

    for (const p of [lien, yana]) {
      await until(async () => {
        const text = await editorText(p.page);
        return text.includes("Eerste-stap.") && !text.includes("Tweede-stap.");
      }, "the restored text arrives live", 10_000);
    }

    // Who wrote what: Lien turns attribution on and sees Yana's words in Yana's colour.
    await lien.page.getByTestId("attribution-toggle").check();
    await lien.page.locator(".ProseMirror .author-mark", { hasText: "Eerste-stap." }).first().waitFor();
    await expect(lien.page.locator(".ProseMirror .author-mark", { hasText: "Eerste-stap." }).first().getAttribute("data-author")).resolves.toBe(NAMES.creator1);
    await expect(lien.page.locator(".attribution-legend").textContent()).resolves.toContain(NAMES.creator1);
    await lien.page.getByTestId("attribution-toggle").uncheck();
    await until(async () => (await lien.page.locator(".ProseMirror .author-mark").count()) === 0, "colours off again");

    expect(yana.alarms).toEqual([]);
    expect(lien.alarms).toEqual([]);
    await Promise.all([yana.context.close(), lien.context.close()]);
  });

  it("keeps a javascript: link, an <img onerror> and a <script> put into the Y.Doc inert in the history views", async () => {
    const section = "commentaarsectie";
    const http = new Client(app.url);
    await http.login("creator1@codewerf.test");
    // The payloads arrive as a Yjs update over the real websocket, as a hostile client would send them.
    const hostile = connectClient(app.url, section, { cookie: http.cookie, origin: app.url });
    await waitFor(() => hostile.provider.synced, "hostile client synced");
    const doc = hostile.doc;
    doc.transact(() => {
      const p = new Y.XmlElement("paragraph");
      const t = new Y.XmlText();
      t.insert(0, "Klik-hier", { link: { href: "javascript:alert(document.domain)" } });
      t.insert(t.length, " <img src=x onerror=alert(2)> <script>alert(3)</script>");
      p.insert(0, [t]);
      const img = new Y.XmlElement("image");
      img.setAttribute("src", "x");
      img.setAttribute("onerror", "alert(4)");
      doc.getXmlFragment("default").insert(0, [p, img]);
    });
    await waitFor(() => hostile.state.saved >= hostile.sent() && hostile.sent() > 0, "hostile update stored");
    hostile.destroy();
    expect((await http.post(`${sectionPath(section)}/history`, { intent: "name", name: "<img src=x onerror=alert(5)>" })).status).toBe(200);

    const yana = await person(browser, app.url, "creator1@codewerf.test");
    const page = yana.page;
    await page.goto(`${sectionPath(section)}/history`);
    await page.getByRole("link", { name: "<img src=x onerror=alert(5)>" }).click();
    await page.waitForURL(/\/history\/[0-9a-f-]{36}$/);
    const text = page.getByTestId("version-text");
    await expect(text.textContent()).resolves.toContain("<img src=x onerror=alert(2)> <script>alert(3)</script>");
    await expect(text.textContent()).resolves.toContain("Klik-hier");
    await expect(page.locator("main img, main script, main [onerror]").count()).resolves.toBe(0);
    await expect(page.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    // Compare with the starting version: the redline shows the payloads as text only.
    const startVersion = await page.locator("#against option", { hasText: "Startversie" }).getAttribute("value");
    await page.goto(`${page.url()}?against=${startVersion}`);
    await expect(page.locator("[data-testid=redline]").textContent()).resolves.toContain("<script>alert(3)</script>");
    await expect(page.locator("main img, main script, main [onerror]").count()).resolves.toBe(0);
    // Clicking the would-be link does nothing harmful.
    await page.getByText("Klik-hier").first().click();
    expect(yana.alarms).toEqual([]);
    await yana.context.close();
  });
});
