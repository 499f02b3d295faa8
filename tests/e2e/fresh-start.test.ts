// The embedded path of `npm start`: a server on a brand-new empty DATA_DIR (no DATABASE_URL)
// creates, migrates and seeds PGlite, and a person can use it in Chromium right away: the
// draft shows the ten seeded sections, and a newcomer signs up through the demo mailbox.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sections as seededSections } from "../../seeds/content";
import { e2eEnabled, login, newContext, scrollsHorizontally, startBrowserAndServer } from "../support/browser";
import { startServerProcess, type ServerProcess } from "../support/server-process";

describe.runIf(e2eEnabled)("a fresh embedded start in the browser", { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-fresh-"));
    fs.rmSync(dataDir, { recursive: true }); // like ./data before the first `npm start`: not there yet
    // An `undefined` value is left out of the child's environment (node's spawn skips it), so
    // the server runs as a plain `npm start` (embedded, one instance) even when the test run
    // itself uses PostgreSQL and Redis.
    const env = { DATA_DIR: dataDir, DATABASE_URL: undefined, REDIS_URL: undefined } as unknown as Record<string, string>;
    ({ browser, server } = await startBrowserAndServer(startServerProcess(env, { timeoutMs: 90_000 })));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates and seeds the database on first start and prints the demo logins", async () => {
    expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(true);
    expect(server.output()).toContain("creator3@codewerf.test");
    expect(server.output()).toContain("codewerf-demo");
  });

  it("shows the ten seeded sections on the draft after login", async () => {
    expect(seededSections).toHaveLength(10);
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.locator("main").textContent()).resolves.toContain("10 hoofdstukken");

    await login(page, "creator1@codewerf.test", undefined, "/codes/influencercode");
    const titles = await page.locator(".section-list > li h2").allTextContents();
    expect(titles).toEqual(seededSections.map((s, i) => `${i + 1}. ${s.title}`));

    // A section shows its seeded Dutch text, helplines included.
    await page.locator(".section-list h2 a", { hasText: "Veilig posten over zelfdoding" }).click();
    await page.waitForURL("**/sections/zelfdoding");
    await page.locator("h1", { hasText: "Veilig posten over zelfdoding" }).waitFor();
    // The text, whether still the server-rendered copy or already the live editor that replaces it.
    await page.locator("article.section-page", { hasText: "1813" }).waitFor();
    await context.close();
  });

  describe("signup through the demo mailbox", () => {
    const email = `nieuw.${Date.now().toString(36)}@example.be`;
    const password = "een-goed-wachtwoord";
    let confirmPath = "";

    async function openMail(page: Page, linkPrefix = "/signup/confirm/"): Promise<string> {
      await page.goto("/outbox");
      const mail = page.locator(".mail-list > li", { hasText: email }).filter({ has: page.locator(`a[href^='${linkPrefix}']`) });
      await mail.waitFor();
      const link = mail.locator(`a[href^='${linkPrefix}']`);
      await expect(link.count()).resolves.toBe(1);
      return (await link.getAttribute("href")) ?? "";
    }

    it("signs up, confirms through the outbox link and logs in", async () => {
      const context = await newContext(browser, server.url);
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByRole("link", { name: "Account maken" }).click();
      await page.waitForURL("**/signup");
      await page.getByLabel("Naam zoals anderen je zien").fill("Nieuwe Maker");
      await page.getByLabel("E-mailadres", { exact: true }).fill(email);
      await page.getByLabel("Wachtwoord", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Account maken" }).click();
      await page.locator("h1", { hasText: "Kijk in je mailbox" }).waitFor();
      await expect(page.getByRole("status").textContent()).resolves.toContain(email);

      // Not confirmed yet: logging in is refused with the reason.
      await page.goto("/login");
      await page.getByLabel("E-mailadres", { exact: true }).fill(email);
      await page.getByLabel("Wachtwoord", { exact: true }).fill(password);
      await page.locator("main form button[type=submit]").click();
      await page.locator(".form-error", { hasText: "Bevestig eerst je e-mailadres" }).waitFor();

      // The demo mailbox shows the mail with a clickable link to our site.
      confirmPath = await openMail(page);
      await page.locator(`a[href='${confirmPath}']`).click();
      await page.waitForURL(`**${confirmPath}`);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(confirmPath)),
        page.getByRole("button", { name: "Bevestig mijn e-mailadres" }).click(),
      ]);
      await page.locator("h1", { hasText: "Je e-mailadres is bevestigd" }).waitFor();
      // The success message stays (the used-up link must not turn it into an error page).
      await page.waitForLoadState("networkidle");
      await expect(page.locator("h1").allTextContents()).resolves.toEqual(["Je e-mailadres is bevestigd"]);

      await page.getByRole("main").getByRole("link", { name: "Aanmelden" }).click();
      await page.waitForURL("**/login");
      await page.locator("h1", { hasText: /^Aanmelden$/ }).waitFor();
      await page.getByLabel("E-mailadres", { exact: true }).fill(email);
      await page.getByLabel("Wachtwoord", { exact: true }).fill(password);
      await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.locator("main form button[type=submit]").click()]);
      await page.locator("header form[action='/logout'] button").waitFor();

      // A new influencer reads the draft but is not in the drafting group yet.
      await page.goto("/account");
      await expect(page.locator("main").textContent()).resolves.toContain("Je zit niet in de schrijfgroep.");
      await page.goto("/codes/influencercode");
      await expect(page.getByTestId("edit-rights").textContent()).resolves.toContain("Bewerken kan zodra het departement");
      await context.close();
    });

    it("refuses the same link a second time with a clear message", async () => {
      expect(confirmPath).toMatch(/^\/signup\/confirm\/.+/);
      const context = await newContext(browser, server.url);
      const page = await context.newPage();
      const res = await page.goto(confirmPath);
      expect(res?.status()).toBe(409);
      await expect(page.locator("main").textContent()).resolves.toContain("Deze link werd al gebruikt.");
      await expect(page.getByRole("button", { name: "Bevestig mijn e-mailadres" }).count()).resolves.toBe(0);
      await context.close();
    });

    it("resets a forgotten password through the outbox link", async () => {
      const context = await newContext(browser, server.url);
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByRole("link", { name: "Wachtwoord vergeten?" }).click();
      await page.waitForURL("**/password/forgot");
      await page.getByLabel("E-mailadres", { exact: true }).fill(email);
      await page.getByRole("button", { name: "Stuur de link" }).click();
      await page.getByRole("status").filter({ hasText: email }).waitFor();

      const resetPath = await openMail(page, "/password/reset/");
      await page.locator(`a[href='${resetPath}']`).click();
      await page.waitForURL(`**${resetPath}`);
      await page.getByLabel("Wachtwoord", { exact: true }).fill(`${password}-2`);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(resetPath)),
        page.getByRole("button", { name: "Wachtwoord opslaan" }).click(),
      ]);
      await page.getByRole("status").filter({ hasText: "Je wachtwoord is gewijzigd" }).waitFor();
      await page.waitForLoadState("networkidle");
      await expect(page.locator("main").textContent()).resolves.not.toContain("Er ging iets mis");

      await login(page, email, `${password}-2`);
      await context.close();
    });

    it("shows the outbox without horizontal scrolling at 360 px", async () => {
      const context = await newContext(browser, server.url, { viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      await openMail(page);
      expect(await scrollsHorizontally(page)).toMatchObject({ overflowing: false });
      await context.close();
    });
  });
});
