// Chromium for the end-to-end tests, through playwright-core (no browser download: Debian's
// `chromium` package, or CHROMIUM_PATH). When Chromium is missing the e2e files are not run,
// unless REQUIRE_E2E=1, where a missing Chromium must fail the run (CONTRACT.md).
//
//   describe.runIf(e2eEnabled)("…", { timeout: 120_000 }, () => {
//     beforeAll(async () => { browser = await launchBrowser(); … });  // throws when Chromium is missing
//   });
//
// One browser per test file, one context per person (contexts share nothing, not even cookies).
import fs from "node:fs";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { chromium } from "playwright-core";
import type { ServerProcess } from "./server-process";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export const hasChromium = isExecutable(chromiumPath);
export const requireE2E = process.env.REQUIRE_E2E === "1";
/** Whether the e2e describe blocks run: always with REQUIRE_E2E=1 (so they can fail), else when Chromium exists. */
export const e2eEnabled = hasChromium || requireE2E;

/**
 * Starts a headless Chromium. Playwright gives every launch a fresh temporary profile
 * (`--user-data-dir` in a new mkdtemp directory, removed on close); passing our own
 * `--user-data-dir` to `launch` is refused, so only the other switches are ours.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium) {
    throw new Error(`REQUIRE_E2E=1 but Chromium was not found at ${chromiumPath} (set CHROMIUM_PATH or apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 30_000,
  });
}

/** A new isolated context (own cookies) on `baseURL`, Dutch by default like a Flemish visitor. */
export async function newContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, locale: "nl-BE", viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

export const DEMO_PASSWORD = "codewerf-demo";

/** Logs in through the real form and waits until the redirect after login has landed. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD, redirectTo = "/"): Promise<void> {
  await page.goto(`/login?redirectTo=${encodeURIComponent(redirectTo)}`);
  await page.locator("#field-email").fill(email);
  await page.locator("#field-password").fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === redirectTo.split("?")[0], { waitUntil: "load" }),
    page.locator("main form button[type=submit]").click(),
  ]);
  // The header shows the logout button only for a signed-in person.
  await page.locator("header form[action='/logout'] button").waitFor();
}

/** A context already signed in as `email`. */
export async function signedInContext(browser: Browser, baseURL: string, email: string, options: BrowserContextOptions = {}) {
  const context = await newContext(browser, baseURL, options);
  const page = await context.newPage();
  await login(page, email);
  return { context, page };
}

/**
 * Whether the page is wider than the viewport (a horizontal scrollbar would show). With
 * `isMobile` Chromium widens the layout viewport to fit wide content (window.innerWidth grows
 * with it), so the width the context was given counts as well.
 */
export async function scrollsHorizontally(page: Page): Promise<{ scrollWidth: number; innerWidth: number; overflowing: boolean }> {
  const configured = page.viewportSize()?.width ?? Number.POSITIVE_INFINITY;
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  return { scrollWidth, innerWidth, overflowing: scrollWidth > innerWidth || scrollWidth > configured || innerWidth > configured };
}

/**
 * Starts Chromium and a server side by side (each takes seconds); if either fails, the other is
 * stopped and the error thrown, so a file's beforeAll fails cleanly.
 */
export async function startBrowserAndServer(starting: Promise<ServerProcess>): Promise<{ browser: Browser; server: ServerProcess }> {
  const [b, s] = await Promise.allSettled([launchBrowser(), starting]);
  if (b.status === "rejected" || s.status === "rejected") {
    if (b.status === "fulfilled") await b.value.close();
    if (s.status === "fulfilled") await s.value.stop();
    throw b.status === "rejected" ? b.reason : (s as PromiseRejectedResult).reason;
  }
  return { browser: b.value, server: s.value };
}
