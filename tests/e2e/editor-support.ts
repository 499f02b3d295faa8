// Helpers for the live editor's browser tests: open a section as someone, wait for the live
// editor, read its status, and intercept its websocket (hold "saved" frames, cut the line).
import type { Browser, BrowserContext, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import { signedInContext } from "../support/browser";

export const CODE = "influencercode";
export const sectionPath = (sectionId: string) => `/codes/${CODE}/sections/${sectionId}`;

export const NAMES = {
  creator1: "Yana Peeters",
  awel: "Lien Claes",
  creator3: "Noor El Amrani",
} as const;

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Console errors and dialogs seen on this page (XSS checks). */
  alarms: string[];
  /** "Leave the page?" prompts that were shown (and accepted). */
  beforeUnloads: string[];
}

export async function person(browser: Browser, baseURL: string, email: string, options: BrowserContextOptions = {}): Promise<Person> {
  const { context, page } = await signedInContext(browser, baseURL, email, options);
  const alarms: string[] = [];
  const beforeUnloads: string[] = [];
  watch(page, alarms, beforeUnloads);
  return { context, page, alarms, beforeUnloads };
}

/** Records dialogs (alert/confirm/prompt from injected script) and console errors. */
export function watch(page: Page, alarms: string[], beforeUnloads: string[]): void {
  page.on("dialog", (d) => {
    if (d.type() === "beforeunload") {
      beforeUnloads.push(page.url());
      return void d.accept();
    }
    alarms.push(`dialog ${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on("console", (m) => {
    // Chrome reports an inline handler in pasted HTML as a CSP violation as soon as the HTML is
    // parsed, even in the inert document the editor parses it in: blocked, not run.
    if (m.type() === "error" && !/Executing inline event handler violates .*Content Security Policy/.test(m.text())) alarms.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => alarms.push(`pageerror: ${e.message}`));
}

/** The live editor has taken over from the server HTML. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator("[data-testid=editor-frame][data-live=true] .ProseMirror").waitFor({ timeout: 15_000 });
}

export async function openSection(page: Page, sectionId: string): Promise<void> {
  await page.goto(sectionPath(sectionId));
  await waitLive(page);
}

export async function waitStatus(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-testid=editor-status][data-status=${status}]`).waitFor({ timeout });
}

export async function status(page: Page): Promise<string | null> {
  return page.locator("[data-testid=editor-status]").getAttribute("data-status");
}

export async function editorText(page: Page): Promise<string> {
  return (await page.locator(".ProseMirror").textContent()) ?? "";
}

/** Puts the caret at the end of the first paragraph and types. */
export async function typeAtEndOfFirstParagraph(page: Page, text: string): Promise<void> {
  await page.locator(".ProseMirror p").first().click();
  await page.keyboard.press("End");
  await page.keyboard.type(text);
}

/** Polls `fn` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(fn: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const isUpdateFrame = (m: string | Buffer) => typeof m !== "string" && m[0] === 0 && (m[1] === 1 || m[1] === 2);

/**
 * Routes a page's collab websocket through the test: `blocked` refuses new sockets and cut()
 * closes the open ones; `holdSaved` keeps the server's "saved" (type 100) frames back until
 * release(); `holdUpdates` keeps others' updates (sync type 2) back until releaseUpdates() sends
 * them all at once. Counts update frames the page sent.
 */
export async function interceptCollab(page: Page) {
  const state = {
    blocked: false,
    holdSaved: false,
    held: [] as { route: WebSocketRoute; message: Buffer }[],
    holdUpdates: false,
    heldUpdates: [] as { route: WebSocketRoute; message: Buffer }[],
    open: new Set<WebSocketRoute>(),
    updatesSent: 0,
    savedSeen: 0,
  };
  await page.routeWebSocket(/\/collab\//, (ws) => {
    if (state.blocked) {
      void ws.close({ code: 1013, reason: "blocked by the test" });
      return;
    }
    const server = ws.connectToServer();
    state.open.add(ws);
    ws.onMessage((m) => {
      if (isUpdateFrame(m)) state.updatesSent++;
      server.send(m);
    });
    server.onMessage((m) => {
      if (typeof m !== "string" && m[0] === 100) {
        state.savedSeen++;
        if (state.holdSaved) return void state.held.push({ route: ws, message: m });
      }
      if (state.holdUpdates && typeof m !== "string" && m[0] === 0 && m[1] === 2) return void state.heldUpdates.push({ route: ws, message: m });
      ws.send(m);
    });
    ws.onClose(() => {
      state.open.delete(ws);
      void server.close();
    });
    server.onClose(() => {
      state.open.delete(ws);
      void ws.close();
    });
  });
  return {
    state,
    /** Closes every open socket of this page and refuses new ones. */
    async cut() {
      state.blocked = true;
      for (const ws of [...state.open]) await ws.close({ code: 1013, reason: "cut by the test" });
    },
    unblock() {
      state.blocked = false;
    },
    release() {
      state.holdSaved = false;
      for (const { route, message } of state.held.splice(0)) route.send(message);
    },
    releaseUpdates() {
      state.holdUpdates = false;
      for (const { route, message } of state.heldUpdates.splice(0)) route.send(message);
    },
  };
}
