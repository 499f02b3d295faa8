// At 360 px (a small phone) no page scrolls sideways; also takes the README's screenshots of
// the draft at 360 px and 1280 px (into docs/ with UPDATE_SCREENSHOTS=1, else a temp folder,
// so an ordinary test run leaves the working tree clean).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, newContext, scrollsHorizontally, signedInContext, startBrowserAndServer } from "../support/browser";
import { testDatabaseEnv } from "../support/db";
import { startServerProcess, type ServerProcess } from "../support/server-process";

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

/** Elements sticking out past the right edge of the viewport (to say what overflows). */
async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 && r.width > 0) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className} right=${Math.round(r.right)}`);
      }
    }
    return out.slice(0, 10);
  });
}

describe.runIf(e2eEnabled)("small screens and screenshots", { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;

  beforeAll(async () => {
    ({ browser, server } = await startBrowserAndServer(testDatabaseEnv().then((env) => startServerProcess(env))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("has no horizontal scrolling at 360 px on any page, in Dutch and in English", async () => {
    const anonymous = await newContext(browser, server.url, { viewport: PHONE, isMobile: true, hasTouch: true });
    const anon = await anonymous.newPage();
    const { context: ministry, page: ministryPage } = await signedInContext(browser, server.url, "ministerie@codewerf.test", {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    });
    const { context: expert, page: expertPage } = await signedInContext(browser, server.url, "childfocus@codewerf.test", {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    });
    const visits: Array<[Page, string]> = [
      [anon, "/"],
      [anon, "/login"],
      [anon, "/signup"],
      [anon, "/password/forgot"],
      [anon, "/bestaat-niet"],
      [ministryPage, "/"],
      [ministryPage, "/codes/influencercode"],
      [ministryPage, "/codes/influencercode/sections/reclame"],
      [ministryPage, "/codes/influencercode/sections/zelfdoding"],
      [ministryPage, "/admin/people"],
      [ministryPage, "/admin/organisations"],
      [ministryPage, "/account"],
      [expertPage, "/codes/influencercode/sections/kinderen-in-beeld"],
      [expertPage, "/admin/people"],
    ];
    const wide: Record<string, unknown> = {};
    for (const english of [false, true]) {
      if (english) {
        // Longer English words must fit too.
        for (const page of [anon, ministryPage, expertPage]) {
          await page.goto("/");
          await page.locator("header").getByRole("button", { name: "English" }).click();
          await page.locator("html[lang=en]").waitFor();
        }
      }
      for (const [page, url] of visits) {
        await page.goto(url);
        const m = await scrollsHorizontally(page);
        expect(m.innerWidth).toBe(PHONE.width);
        if (m.overflowing) wide[`${english ? "en" : "nl"} ${url}`] = { ...m, elements: await overflowingElements(page) };
      }
    }
    expect(wide).toEqual({});
    await anonymous.close();
    await ministry.close();
    await expert.close();
  });

  it("takes screenshots of the draft at 360 px and 1280 px for the README", async () => {
    const dir = process.env.UPDATE_SCREENSHOTS === "1" ? path.resolve("docs") : fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-shots-"));
    fs.mkdirSync(dir, { recursive: true });
    for (const [viewport, name] of [
      [PHONE, "screenshot-360.png"],
      [DESKTOP, "screenshot.png"],
    ] as const) {
      const file = path.join(dir, name);
      const { context, page } = await signedInContext(browser, server.url, "creator1@codewerf.test", {
        viewport,
        deviceScaleFactor: 1,
        ...(viewport === PHONE ? { isMobile: true, hasTouch: true } : {}),
      });
      await page.goto("/codes/influencercode");
      await page.locator(".section-list > li").nth(9).waitFor();
      await page.evaluate(() => document.fonts.ready);
      const m = await scrollsHorizontally(page);
      expect(m.overflowing).toBe(false);
      const buffer = await page.screenshot({ path: file, fullPage: false, animations: "disabled", caret: "hide" });
      // A PNG of the viewport's size.
      expect(buffer.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(buffer.readUInt32BE(16)).toBe(viewport.width);
      expect(buffer.readUInt32BE(20)).toBe(viewport.height);
      await context.close();
    }
  });
});
