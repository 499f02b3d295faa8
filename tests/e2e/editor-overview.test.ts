// The draft overview follows the live editors without a reload (SSE from the presence
// registry), a lock downgrades an open editor on the spot, and the README's editor screenshots.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, launchBrowser } from "../support/browser";
import { startTestApp, type TestApp } from "../support/app";
import { CODE, NAMES, editorText, openSection, person, typeAtEndOfFirstParagraph, until, waitStatus } from "./editor-support";

describe.runIf(e2eEnabled)("the live overview and the editor's screenshots", { timeout: 120_000 }, () => {
  let browser: Browser;
  let app: TestApp;

  beforeAll(async () => {
    [browser, app] = await Promise.all([launchBrowser(), startTestApp({}, { collab: {} })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows who is editing a section now and updates 'last changed' without a reload", async () => {
    const ministry = await person(browser, app.url, "ministerie@codewerf.test");
    await ministry.page.goto(`/codes/${CODE}`);
    const card = ministry.page.getByTestId("live-grenzen");
    await expect(card.getByTestId("editing").textContent()).resolves.toBe("Niemand bewerkt dit nu.");
    const changedBefore = await card.getByTestId("changed").getAttribute("data-changed-at");
    // A marker that a reload would wipe.
    await ministry.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const yana = await person(browser, app.url, "creator1@codewerf.test");
    await openSection(yana.page, "grenzen");
    await until(async () => (await card.getByTestId("editing").textContent()) === `Nu bezig: ${NAMES.creator1}`, "editor listed on the overview");

    await typeAtEndOfFirstParagraph(yana.page, " Een nieuwe zin.");
    await waitStatus(yana.page, "saved");
    await until(async () => (await card.getByTestId("changed").getAttribute("data-changed-at")) !== changedBefore, "last changed moved");
    await expect(card.getByTestId("changed").textContent()).resolves.toContain(`door ${NAMES.creator1}`);

    await yana.context.close();
    await until(async () => (await card.getByTestId("editing").textContent()) === "Niemand bewerkt dit nu.", "editor gone from the overview");
    await expect(ministry.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).resolves.toBe(true);
    await ministry.context.close();
  });

  it("turns an open editor read-only, with the reason, when the ministry locks the section", async () => {
    const yana = await person(browser, app.url, "creator1@codewerf.test");
    await openSection(yana.page, "kinderen-in-beeld");
    await yana.page.getByTestId("can-edit").waitFor();
    await expect(yana.page.locator(".ProseMirror").getAttribute("contenteditable")).resolves.toBe("true");

    const ministry = await person(browser, app.url, "ministerie@codewerf.test");
    await ministry.page.goto(`/codes/${CODE}`);
    await ministry.page.getByRole("button", { name: /^Vergrendelen\s*: Kinderen in beeld/ }).click();
    await ministry.page.getByRole("button", { name: /^Ontgrendelen\s*: Kinderen in beeld/ }).waitFor();

    await until(async () => ((await yana.page.getByTestId("read-only").count()) ? ((await yana.page.getByTestId("read-only").textContent()) ?? "") : "").includes("vergrendeld door het departement"), "lock notice");
    await until(async () => (await yana.page.locator(".ProseMirror").getAttribute("contenteditable")) === "false", "editor read-only");
    await expect(yana.page.locator("[role=toolbar]").count()).resolves.toBe(0);
    await Promise.all([yana.context.close(), ministry.context.close()]);
  });

  it("takes screenshots of the editor with two other people's carets at 1280 px and 360 px for the README", async () => {
    const dir = process.env.UPDATE_SCREENSHOTS === "1" ? path.resolve("docs") : fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-editor-shots-"));
    fs.mkdirSync(dir, { recursive: true });
    const lien = await person(browser, app.url, "awel@codewerf.test");
    const milan = await person(browser, app.url, "creator2@codewerf.test");
    await Promise.all([openSection(lien.page, "voor-en-door"), openSection(milan.page, "voor-en-door")]);
    // Lien selects a few words in the first paragraph; Milan types in the second.
    await lien.page.locator(".ProseMirror p").first().click();
    await lien.page.keyboard.press("Home");
    await lien.page.keyboard.press("Control+Shift+ArrowRight");
    await lien.page.keyboard.press("Control+Shift+ArrowRight");
    await milan.page.locator(".ProseMirror p").nth(1).click();
    await milan.page.keyboard.press("End");
    await milan.page.keyboard.type(" Goed idee!");

    for (const [viewport, name] of [
      [{ width: 1280, height: 900 }, "editor.png"],
      [{ width: 360, height: 780 }, "editor-360.png"],
    ] as const) {
      const phone = viewport.width === 360;
      const yana = await person(browser, app.url, "creator1@codewerf.test", { viewport, deviceScaleFactor: 1, ...(phone ? { isMobile: true, hasTouch: true } : {}) });
      await openSection(yana.page, "voor-en-door");
      await until(async () => (await editorText(yana.page)).includes("Goed idee!"), "Milan's words");
      await yana.page.locator(".collaboration-carets__label", { hasText: NAMES.awel }).waitFor();
      await yana.page.locator(".collaboration-carets__label", { hasText: "Milan De Smet" }).waitFor();
      const file = path.join(dir, name);
      await yana.page.screenshot({ path: file, fullPage: !phone });
      expect(fs.statSync(file).size).toBeGreaterThan(10_000);
      // No sideways scrolling on a phone.
      if (phone) expect(await yana.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await yana.context.close();
    }
    await Promise.all([lien.context.close(), milan.context.close()]);
  });
});
