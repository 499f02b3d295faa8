// Pledges in Chromium: signing through the real form with hostile names, confirming through
// the mailed link (read from the demo mailbox), then the registry, the pledge page and the badge
// render those names inert (no dialog fires; the SVG parses as XML without script or handlers).
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, signedInContext, startBrowserAndServer } from "../support/browser";
import { testDatabaseEnv } from "../support/db";
import { startServerProcess, type ServerProcess } from "../support/server-process";

const HOSTILE = [
  { email: "creator3@codewerf.test", name: "<script>alert(1)</script>" },
  { email: "agency@codewerf.test", name: '"><svg onload=alert(2)>' },
];

describe.runIf(e2eEnabled)("pledges in the browser", { timeout: 180_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;
  const dialogs: string[] = [];

  let databaseUrl: string | undefined;

  beforeAll(async () => {
    const env = await testDatabaseEnv();
    databaseUrl = env.DATABASE_URL;
    ({ browser, server } = await startBrowserAndServer(startServerProcess(env)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  function watch(page: Page): Page {
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  }

  /** The newest pledge confirmation link mailed to `to`, from the demo mailbox. */
  async function confirmLink(page: Page, to: string): Promise<string> {
    // On PostgreSQL the server runs as in production, without the demo mailbox: read the outbox table.
    if (databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ text_body: string }>("select text_body from outbox where to_address = $1 order by id desc limit 1", [to]);
        const match = /\/pledge\/confirm\/[A-Za-z0-9_-]+/.exec(rows[0]?.text_body ?? "");
        if (!match) throw new Error(`no confirmation link for ${to}`);
        return match[0];
      } finally {
        await client.end();
      }
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      await page.goto("/outbox");
      const body = await page.locator("main").innerText();
      const i = body.lastIndexOf(to);
      const match = /\/pledge\/confirm\/[A-Za-z0-9_-]+/.exec(body.slice(Math.max(0, body.indexOf(to))));
      if (i >= 0 && match) return match[0];
      if (Date.now() > deadline) throw new Error(`no confirmation link for ${to}`);
    }
  }

  it("signs with hostile names through the form; registry, pledge page and badge stay inert", async () => {
    const ids: string[] = [];
    const answered = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { directActions: { answered: number } }).directActions.answered;
    const answeredBefore = await answered();
    for (const { email, name } of HOSTILE) {
      const { page, context } = await signedInContext(browser, server.url, email);
      watch(page);
      await page.goto("/pledge");
      await expect(page.getByTestId("pledge-text").textContent()).resolves.toContain("versie 1.0");
      await page.locator("#field-publicName").fill(name);
      await page.locator("#field-instagram").fill("@Inert.Test");
      await page.locator("input[name=under13][value=no]").check();
      await Promise.all([page.waitForURL(/\/pledges\/[0-9a-f-]{36}\?signed=1$/), page.getByRole("button", { name: /Onderteken versie 1\.0/ }).click()]);
      ids.push(/\/pledges\/([0-9a-f-]{36})/.exec(page.url())![1]);
      // waitForURL resolves on the history push, before React has rendered the new page.
      await page.locator("main", { hasText: "nog niet bevestigd" }).waitFor();

      await page.goto(await confirmLink(page, email));
      await page.getByRole("button", { name: "Bevestig mijn handtekening" }).click();
      await page.getByText("Je handtekening staat nu in het openbare register.").waitFor();
      await context.close();
    }
    // The browser's submissions (Remix's data requests) were answered before Remix, and worked.
    expect(await answered()).toBe(answeredBefore + HOSTILE.length);

    const { page, context } = await signedInContext(browser, server.url, "creator1@codewerf.test");
    watch(page);
    await page.goto("/pledges");
    for (const { name } of HOSTILE) await page.getByRole("link", { name, exact: true }).waitFor();
    await expect(page.locator("main").innerText()).resolves.toContain("@inert.test");
    for (const id of ids) {
      await page.goto(`/pledges/${id}`);
      await page.getByTestId("badge").waitFor();
      // The badge image really loaded (a broken image has naturalWidth 0).
      await expect(page.getByTestId("badge").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
      const svg = await page.evaluate(async (url) => {
        const text = await (await fetch(url)).text();
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const all = [...doc.querySelectorAll("*")];
        return {
          parseError: doc.querySelector("parsererror") !== null,
          title: doc.querySelector("title")?.textContent ?? null,
          role: doc.documentElement.getAttribute("role"),
          scripts: doc.querySelectorAll("script, foreignObject").length,
          handlers: all.flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith("on")),
        };
      }, `/pledges/${id}/badge.svg`);
      expect(svg).toEqual({ parseError: false, title: "Influencercode 1.0: ondertekend", role: "img", scripts: 0, handlers: [] });
      // Opened on its own, the SVG runs nothing either.
      await page.goto(`/pledges/${id}/badge.svg`);
    }
    // The snippets hold the escaped alt text, not markup.
    await page.goto(`/pledges/${ids[1]}`);
    await expect(page.locator("#snippet-html").inputValue()).resolves.toMatch(/^<a href="[^"]+\/pledges\/[0-9a-f-]{36}"><img src="[^"]+badge\.svg" alt="Influencercode 1\.0: ondertekend"><\/a>$/);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it("withdraws with one button and one confirmation; the badge says ingetrokken", async () => {
    const { page, context } = await signedInContext(browser, server.url, "creator2@codewerf.test");
    watch(page);
    await page.goto("/pledges?q=Milan");
    await page.getByRole("link", { name: "Milan De Smet" }).click();
    await page.getByRole("link", { name: "Handtekening intrekken" }).click();
    await page.locator("#withdraw-reason").fill("Even pauze.");
    await page.getByRole("button", { name: "Ja, trek mijn handtekening in" }).click();
    await page.getByText("Je handtekening is ingetrokken.").waitFor();
    await expect(page.getByTestId("pledge-status").innerText()).resolves.toMatch(/ingetrokken.*Ingetrokken op/s);
    const id = /\/pledges\/([0-9a-f-]{36})/.exec(page.url())![1];
    // Bypassing the browser's copy (the badge may be cached for 30 s): the server answers live.
    const title = await page.evaluate(async (url) => new DOMParser().parseFromString(await (await fetch(url, { cache: "no-store" })).text(), "image/svg+xml").querySelector("title")?.textContent, `/pledges/${id}/badge.svg`);
    expect(title).toMatch(/^Influencercode 1\.0: ingetrokken \d/);
    await page.goto("/pledges");
    await expect(page.getByRole("link", { name: "Milan De Smet" }).count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
