// Each demo role signs in through the real login form in Chromium and sees what it may:
// edit rights on the draft and a section page, the ministry's people pages and lock buttons,
// the Dutch 403 page for others, and the public sent to /login.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, newContext, signedInContext, startBrowserAndServer } from "../support/browser";
import { testDatabaseEnv } from "../support/db";
import { startServerProcess, type ServerProcess } from "../support/server-process";

const DRAFT = "/codes/influencercode";
const SECTION = `${DRAFT}/sections/reclame`;

describe.runIf(e2eEnabled)("demo roles in the browser", { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;

  beforeAll(async () => {
    ({ browser, server } = await startBrowserAndServer(testDatabaseEnv().then((env) => startServerProcess(env))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function as(email: string): Promise<Page> {
    return (await signedInContext(browser, server.url, email)).page;
  }

  it("sends the anonymous public from the draft to /login and back after signing in", async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto(DRAFT);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe(DRAFT);
    await expect(page.locator("h1").textContent()).resolves.toBe("Aanmelden");

    await page.locator("#field-email").fill("creator1@codewerf.test");
    await page.locator("#field-password").fill("codewerf-demo");
    await Promise.all([page.waitForURL(`**${DRAFT}`), page.locator("main form button[type=submit]").click()]);
    await page.locator("h1", { hasText: "Ontwerp: " }).waitFor();
    await context.close();
  });

  it("shows creator3 (not in the drafting group) read-only notices with the reason", async () => {
    const page = await as("creator3@codewerf.test");
    await page.goto(DRAFT);
    const rights = page.getByTestId("edit-rights");
    await expect(rights.textContent()).resolves.toContain("Bewerken kan zodra het departement je toelaat tot de schrijfgroep");
    await expect(page.getByRole("button", { name: /vergrendelen/i }).count()).resolves.toBe(0);
    await expect(page.locator("nav a[href='/admin/people']").count()).resolves.toBe(0);

    await page.goto(SECTION);
    const notice = page.getByTestId("read-only");
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toMatch(/Alleen lezen:.*niet in de schrijfgroep/);
    await expect(page.getByTestId("can-edit").count()).resolves.toBe(0);
    await page.context().close();
  });

  for (const email of ["creator1@codewerf.test", "awel@codewerf.test", "agency@codewerf.test"]) {
    it(`shows ${email} edit rights on the draft and on a section`, async () => {
      const page = await as(email);
      await page.goto(DRAFT);
      await expect(page.getByTestId("edit-rights").textContent()).resolves.toBe("Jij mag dit ontwerp mee bewerken.");
      await page.goto(SECTION);
      await page.getByTestId("can-edit").waitFor();
      await expect(page.getByTestId("read-only").count()).resolves.toBe(0);
      // Not the ministry: no people pages, and the Dutch 403 page when trying anyway.
      await expect(page.locator("nav a[href='/admin/people']").count()).resolves.toBe(0);
      await page.context().close();
    });
  }

  it("gives an expert the Dutch 403 page on /admin/people and /admin/organisations", async () => {
    const page = await as("awel@codewerf.test");
    for (const path of ["/admin/people", "/admin/organisations"]) {
      const res = await page.goto(path);
      expect(res?.status()).toBe(403);
      await expect(page.locator("h1").textContent()).resolves.toBe("Er ging iets mis (403)");
      await expect(page.locator("main").textContent()).resolves.toContain("Je hebt geen toegang tot deze pagina of actie.");
      await expect(page.locator("html").getAttribute("lang")).resolves.toBe("nl-BE");
    }
    await page.context().close();
  });

  it("shows the ministry the people pages and lock buttons; a lock makes the section read-only for creator1", async () => {
    const page = await as("ministerie@codewerf.test");
    await page.goto(DRAFT);
    await expect(page.getByRole("button", { name: /^Vergrendelen/ }).count()).resolves.toBe(10);

    // The people page lists every demo account with its actions.
    await page.locator("nav a[href='/admin/people']").click();
    await page.waitForURL("**/admin/people");
    await page.locator("h1", { hasText: /^Mensen$/ }).waitFor();
    const table = page.locator("main table");
    for (const email of ["awel@codewerf.test", "agency@codewerf.test", "creator1@codewerf.test", "creator3@codewerf.test"]) {
      await expect(table.textContent()).resolves.toContain(email);
    }
    await expect(page.getByRole("button", { name: /^Toelaten tot schrijfgroep\s*: Noor El Amrani$/ }).count()).resolves.toBe(1);

    await page.locator("nav a[href='/admin/organisations']").click();
    await page.waitForURL("**/admin/organisations");
    await page.locator("h1", { hasText: /^Organisaties$/ }).waitFor();
    for (const name of ["Awel", "Child Focus", "Mediawijs"]) {
      await expect(page.locator("main").textContent()).resolves.toContain(name);
    }

    // Lock a section: the button flips and creator1 sees it read-only with the reason.
    await page.goto(DRAFT);
    const lock = page.getByRole("button", { name: /^Vergrendelen\s*: Eerlijk over reclame$/ });
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(DRAFT)), lock.click()]);
    await page.getByRole("button", { name: /^Ontgrendelen\s*: Eerlijk over reclame$/ }).waitFor();
    await expect(page.locator("#reclame .tag-warn").textContent()).resolves.toContain("Vergrendeld");

    const creator = await as("creator1@codewerf.test");
    await creator.goto(SECTION);
    await expect(creator.getByTestId("read-only").textContent()).resolves.toContain("vergrendeld door het departement");
    await creator.goto(`${DRAFT}/sections/jong-publiek`);
    await creator.getByTestId("can-edit").waitFor();

    // Unlock again: creator1 may edit it once more.
    const unlock = page.getByRole("button", { name: /^Ontgrendelen\s*: Eerlijk over reclame$/ });
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(DRAFT)), unlock.click()]);
    await page.getByRole("button", { name: /^Vergrendelen\s*: Eerlijk over reclame$/ }).waitFor();
    await creator.goto(SECTION);
    await creator.getByTestId("can-edit").waitFor();
    await creator.context().close();
    await page.context().close();
  });
});
