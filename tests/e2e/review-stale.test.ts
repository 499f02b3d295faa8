// Staleness end to end in real Chromium: Awel approves `zelfdoding` in the section's review
// panel; creator1 replaces one word by typing in the live editor; the review overview shows
// Awel's approval as stale and the section as not ready, the panel shows the one-word redline;
// Awel approves again and the section is ready.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, launchBrowser } from "../support/browser";
import { startTestApp, type TestApp } from "../support/app";
import { CODE, openSection, person, until, waitStatus } from "./editor-support";

const SECTION = "zelfdoding";
const NEW_WORD = "voorzichtig";

/** Awel's cell and the section's readiness on the review overview, as the server renders it now. */
async function overview(page: Page): Promise<{ awel: string | null; ready: string | null }> {
  await page.goto(`/codes/${CODE}/review`);
  const row = page.locator(`[data-testid=review-matrix] tr[data-section=${SECTION}]`);
  return { awel: await row.locator("td[data-organisation=awel]").getAttribute("data-state"), ready: await row.getAttribute("data-ready") };
}

/**
 * Selects, through the page's own selection, the first word of six or more lowercase letters
 * in the editor's first paragraph that has one, and returns it (the editor then owns that range).
 */
async function selectAWord(page: Page): Promise<string> {
  await page.locator(".ProseMirror p").first().click();
  const word = await page.evaluate(() => {
    const root = document.querySelector(".ProseMirror")!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = /(?<=^|\s)[a-z]{6,}(?=\s)/.exec(n.textContent ?? "");
      if (!m) continue;
      const range = document.createRange();
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return m[0];
    }
    return null;
  });
  expect(word).toBeTruthy();
  // ProseMirror reads the DOM selection on selectionchange: wait until it holds that word.
  await until(async () => (await page.evaluate(() => window.getSelection()?.toString())) === word, "editor selection on the word", 5_000);
  return word!;
}

describe.runIf(e2eEnabled)("review staleness in the browser", { timeout: 120_000 }, () => {
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

  it("a word typed in the live editor makes Awel's approval stale with a one-word redline; approving again makes the section ready", async () => {
    const lien = await person(browser, app.url, "awel@codewerf.test");
    const yana = await person(browser, app.url, "creator1@codewerf.test");

    // Awel approves in the section's review panel.
    await openSection(lien.page, SECTION);
    const panel = lien.page.getByTestId("review-panel");
    await panel.getByTestId("approve").click();
    await panel.locator("[data-testid=review-cell][data-organisation=awel][data-state=approved]").waitFor({ timeout: 10_000 });
    expect(await overview(lien.page)).toEqual({ awel: "approved", ready: "yes" });

    // creator1 replaces one word by typing over it, and waits for the server's acknowledgement.
    await openSection(yana.page, SECTION);
    await waitStatus(yana.page, "connected");
    const replaced = await selectAWord(yana.page);
    await yana.page.keyboard.type(NEW_WORD);
    await waitStatus(yana.page, "saved");
    expect(await yana.page.locator(".ProseMirror").textContent()).toContain(NEW_WORD);

    // The approval turns stale (the collaboration server's change hook, on the server) and the
    // section stops being ready.
    let seen: { awel: string | null; ready: string | null } = { awel: null, ready: null };
    await until(async () => (seen = await overview(lien.page)).awel === "stale", "the overview shows Awel's approval as stale", 15_000);
    expect(seen.ready).toBe("no");

    // "Wat veranderde sinds de goedkeuring": exactly the one word out, the new word in.
    await openSection(lien.page, SECTION);
    const cell = panel.locator("[data-testid=review-cell][data-organisation=awel][data-state=stale]");
    await cell.waitFor({ timeout: 10_000 });
    // Each <ins>/<del> starts with a label for screen readers; the words are what follows it.
    const words = (selector: string) =>
      cell.locator(selector).evaluateAll((els) => els.map((el) => [...el.childNodes].filter((n) => !(n instanceof HTMLElement && n.classList.contains("visually-hidden"))).map((n) => n.textContent).join("").trim()));
    const removed = await words(".redline del");
    const added = await words(".redline ins");
    expect(removed).toEqual([replaced]);
    expect(added).toEqual([NEW_WORD]);

    // Awel approves the new text: the section is ready again.
    await panel.getByTestId("approve").click();
    await panel.locator("[data-testid=review-cell][data-organisation=awel][data-state=approved]").waitFor({ timeout: 10_000 });
    expect(await overview(lien.page)).toEqual({ awel: "approved", ready: "yes" });
    expect([...lien.alarms, ...yana.alarms]).toEqual([]);
  });
});
