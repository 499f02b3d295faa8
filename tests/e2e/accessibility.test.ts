// Keyboard-only use, landmarks and labels, and the language switch, in Chromium.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, newContext, signedInContext, startBrowserAndServer } from "../support/browser";
import { testDatabaseEnv } from "../support/db";
import { startServerProcess, type ServerProcess } from "../support/server-process";

/** The focused element: what it is and whether a focus indicator is drawn around it. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return null;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute("name"),
      text: (el.textContent ?? "").trim(),
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
      onScreen: rect.width > 0 && rect.height > 0 && rect.left >= 0 && rect.top >= 0 && rect.right <= window.innerWidth,
    };
  });
}

/** Problems a screen-reader or keyboard user would hit on this page (empty when fine). */
async function landmarkAndLabelProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const count = (sel: string) => document.querySelectorAll(sel).length;
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === "fixed";
    if (count("main") !== 1) problems.push(`${count("main")} <main> elements`);
    if (count("h1") !== 1) problems.push(`${count("h1")} <h1> elements`);
    if (count("header") < 1) problems.push("no <header> (banner)");
    if (count("footer") < 1) problems.push("no <footer> (contentinfo)");
    const navs = [...document.querySelectorAll("nav")];
    if (navs.length < 1) problems.push("no <nav>");
    if (navs.length > 1) for (const n of navs) if (!n.getAttribute("aria-label") && !n.getAttribute("aria-labelledby")) problems.push("unnamed <nav> among several");
    if (!document.documentElement.lang) problems.push("<html> has no lang");
    if (!document.title.trim()) problems.push("empty <title>");
    if (!(document.querySelector("h1")?.textContent ?? "").trim()) problems.push("empty <h1>");
    const fields = document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea",
    );
    for (const f of fields) {
      const labelled = (f.labels?.length ?? 0) > 0 || f.getAttribute("aria-label") || f.getAttribute("aria-labelledby");
      if (!labelled) problems.push(`unlabelled field ${f.tagName.toLowerCase()}[name=${f.getAttribute("name")}]`);
      const describedBy = f.getAttribute("aria-describedby");
      for (const id of describedBy?.split(/\s+/) ?? []) if (!document.getElementById(id)) problems.push(`aria-describedby points to missing #${id}`);
    }
    for (const ed of document.querySelectorAll("[contenteditable=true], [role=textbox]")) {
      if (!ed.getAttribute("aria-label") && !ed.getAttribute("aria-labelledby")) problems.push("unlabelled editable region");
    }
    for (const b of document.querySelectorAll("button, a[href], [role=button]")) {
      const name = (b.textContent ?? "").trim() || b.getAttribute("aria-label") || b.getAttribute("title") || b.querySelector("img[alt]")?.getAttribute("alt");
      if (!name && visible(b)) problems.push(`${b.tagName.toLowerCase()} without a name: ${b.outerHTML.slice(0, 80)}`);
    }
    for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dupes.length) problems.push(`duplicate ids: ${[...new Set(dupes)].join(", ")}`);
    return problems;
  });
}

describe.runIf(e2eEnabled)("accessibility in the browser", { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;

  beforeAll(async () => {
    ({ browser, server } = await startBrowserAndServer(testDatabaseEnv().then((env) => startServerProcess(env))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("logs in and out with the keyboard alone, with a visible focus and a working skip link", async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto("/login?redirectTo=%2Fcodes%2Finfluencercode");

    // The first Tab lands on the skip link, which then shows on screen with a focus ring.
    await page.keyboard.press("Tab");
    let f = await focused(page);
    expect(f).toMatchObject({ tag: "a", text: "Naar de inhoud", outline: true, onScreen: true });

    // Enter follows it: focus moves to <main>, so the next Tab is the first field of the form.
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "main");
    await page.keyboard.press("Tab");
    f = await focused(page);
    expect(f).toMatchObject({ tag: "input", name: "email", outline: true, onScreen: true });
    await page.keyboard.type("creator1@codewerf.test");

    await page.keyboard.press("Tab");
    f = await focused(page);
    expect(f).toMatchObject({ tag: "input", name: "password", outline: true });
    await page.keyboard.type("codewerf-demo");

    // The submit button is reachable and shows its focus too; Enter in the field submits.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "button", text: "Aanmelden", outline: true });
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toMatchObject({ name: "password" });
    await Promise.all([page.waitForURL("**/codes/influencercode"), page.keyboard.press("Enter")]);
    await page.locator("h1", { hasText: "Ontwerp: " }).waitFor();
    await page.locator("header form[action='/logout'] button").waitFor();

    // Signing out works from the keyboard too: Tab through the header to "Afmelden", every
    // stop with a visible focus, then Enter.
    await page.goto("/");
    const stops: string[] = [];
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      expect(f).toMatchObject({ outline: true, onScreen: true });
      stops.push(f!.text);
      if (f!.tag === "button" && f!.text === "Afmelden") break;
    }
    expect(stops).toEqual(["Naar de inhoud", "Codewerf", "Start", "Ontwerp", ...stops.slice(4, -2), "English", "Afmelden"]);
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === "/logout"), page.keyboard.press("Enter")]);
    await page.locator("header nav a", { hasText: "Aanmelden" }).waitFor();
    await context.close();
  });

  it("announces a wrong password as an alert above the form", async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto("/login");
    await page.locator("#field-email").focus();
    await page.keyboard.type("creator2@codewerf.test");
    await page.keyboard.press("Tab");
    await page.keyboard.type("niet-het-wachtwoord");
    await page.keyboard.press("Enter");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe("Dit e-mailadres en wachtwoord horen niet bij elkaar.");
    await context.close();
  });

  async function problemsOn(page: Page, paths: string[]): Promise<Record<string, string[]>> {
    const problems: Record<string, string[]> = {};
    for (const path of paths) {
      await page.goto(path);
      const found = await landmarkAndLabelProblems(page);
      if (found.length) problems[path] = found;
    }
    return problems;
  }

  it("gives the public pages one main, one h1, named landmarks and labelled fields", async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    expect(await problemsOn(page, ["/", "/login", "/signup", "/password/forgot", "/geen-pagina"])).toEqual({});

    // The form fields say what they are, as a screen reader reads them.
    await page.goto("/signup");
    for (const label of ["Naam zoals anderen je zien", "E-mailadres", "Wachtwoord"]) {
      await expect(page.getByLabel(label, { exact: true }).count()).resolves.toBe(1);
    }
    await expect(page.getByLabel("Wachtwoord", { exact: true }).getAttribute("aria-describedby")).resolves.toBe("field-password-help");
    await context.close();
  });

  it("gives the ministry's pages one main, one h1, named landmarks and labelled fields", async () => {
    const { context, page } = await signedInContext(browser, server.url, "ministerie@codewerf.test");
    const paths = ["/", "/codes/influencercode", "/codes/influencercode/sections/reclame", "/admin/people", "/admin/organisations", "/account"];
    expect(await problemsOn(page, paths)).toEqual({});
    await page.goto("/admin/people");
    for (const label of ["Naam", "E-mail", "Rol", "Organisatie"]) {
      await expect(page.getByLabel(label, { exact: true }).count()).resolves.toBe(1);
    }
    await context.close();
  });

  it("gives a read-only reader's pages (and the 403 page) the same structure", async () => {
    const { context, page } = await signedInContext(browser, server.url, "creator3@codewerf.test");
    expect(await problemsOn(page, ["/codes/influencercode", "/codes/influencercode/sections/zelfdoding", "/admin/people", "/account"])).toEqual({});
    await context.close();
  });

  it("switches the interface to English and back, staying on the same page", async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto("/login");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("nl-BE");
    const toEnglish = page.locator("header").getByRole("button", { name: "English" });
    await expect(toEnglish.getAttribute("lang")).resolves.toBe("en");
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === "/language"), toEnglish.click()]);
    await page.locator("h1", { hasText: /^Sign in$/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("en");
    await expect(page.getByLabel("Password", { exact: true }).count()).resolves.toBe(1);
    await expect(page.locator("header nav").textContent()).resolves.toContain("Home");

    await expect(page.title()).resolves.toBe("Sign in · Codewerf");

    // The choice is remembered on a fresh load.
    await page.reload();
    await page.locator("h1", { hasText: /^Sign in$/ }).waitFor();

    // Back to Dutch.
    await page.locator("header").getByRole("button", { name: "Nederlands" }).click();
    await page.locator("h1", { hasText: /^Aanmelden$/ }).waitFor();
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("nl-BE");
    await context.close();
  });

  it("switches a signed-in person's interface on a section page, and back", async () => {
    const { context, page } = await signedInContext(browser, server.url, "creator1@codewerf.test");
    await page.goto("/codes/influencercode/sections/reclame");
    await page.getByTestId("can-edit").filter({ hasText: "Je mag dit hoofdstuk bewerken." }).waitFor();
    await page.locator("header").getByRole("button", { name: "English" }).click();
    await page.getByTestId("can-edit").filter({ hasText: "You may edit this section." }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/codes/influencercode/sections/reclame");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("en");
    await expect(page.locator("header").getByRole("button", { name: "Sign out" }).count()).resolves.toBe(1);

    // The account keeps the choice: a new page load is still English.
    await page.goto("/codes/influencercode");
    await page.locator("h1", { hasText: /^Draft: / }).waitFor();

    const toDutch = page.locator("header").getByRole("button", { name: "Nederlands" });
    await expect(toDutch.getAttribute("lang")).resolves.toBe("nl-BE");
    await toDutch.click();
    await page.locator("h1", { hasText: /^Ontwerp: / }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/codes/influencercode");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("nl-BE");
    await context.close();
  });
});
