// The server's cache of responses shared by anonymous visitors (server/response-cache.ts):
// anonymous readers of a release share one rendering but each gets its own CSP nonce,
// signed-in readers always get their own page, and a withdrawal or a publish reaches the very
// next request instead of waiting for the entry to expire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishPreview, publishRelease } from "../../app/models/releases.server";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

const CODE = "influencercode";
const RELEASE_PAGE = `/codes/${CODE}/releases/1.0`;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

function scriptNonces(html: string): string[] {
  return [...html.matchAll(/<script[^>]*\snonce="([^"]+)"/g)].map((m) => m[1]);
}

function cspNonce(res: Response): string {
  const match = /'nonce-([^']+)'/.exec(res.headers.get("Content-Security-Policy") ?? "");
  if (!match) throw new Error("no nonce in the Content-Security-Policy");
  return match[1];
}

async function anonymousGet(path: string, headers: Record<string, string> = {}) {
  const res = await new Client(app.url).get(path, headers);
  return { res, body: await res.text() };
}

describe("anonymous readers of a release", () => {
  it("share one rendering, each with the nonce of its own Content-Security-Policy", async () => {
    const before = app.responseCache.stats();
    const first = await anonymousGet(RELEASE_PAGE);
    const second = await anonymousGet(RELEASE_PAGE);
    const after = app.responseCache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);

    for (const { res, body } of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Codewerf-Shared-Cache")).toBeNull();
      expect(Number(res.headers.get("Content-Length"))).toBe(Buffer.byteLength(body));
      const nonces = scriptNonces(body);
      expect(nonces.length).toBeGreaterThan(0);
      // Every inline script carries this response's nonce, or the browser would refuse to run it.
      expect(new Set(nonces)).toEqual(new Set([cspNonce(res)]));
    }
    expect(cspNonce(first.res)).not.toBe(cspNonce(second.res));
    expect(second.body.split(cspNonce(second.res)).join("")).toBe(first.body.split(cspNonce(first.res)).join(""));
    expect(pageText(second.body)).toContain("Eerlijk over reclame");
  });

  it("get their own language: the cached Dutch page is not served to someone who chose English", async () => {
    const dutch = await anonymousGet(RELEASE_PAGE);
    const english = await anonymousGet(RELEASE_PAGE, { Cookie: "codewerf_lang=en" });
    expect(dutch.body).toContain('lang="nl-BE"');
    expect(english.body).toContain('lang="en"');
  });

  it("never get a signed-in person's page, and signed-in people never get the cached one", async () => {
    await anonymousGet(RELEASE_PAGE);
    const creator = new Client(app.url);
    await creator.login("creator1@codewerf.test");
    const before = app.responseCache.stats();
    const own = await creator.get(RELEASE_PAGE);
    const ownText = pageText(await own.text());
    expect(app.responseCache.stats().hits).toBe(before.hits);
    // The signed-in navigation: the inbox and the logout button.
    expect(ownText.includes("Afmelden") && ownText.includes("Inbox")).toBe(true);
    const anonymousText = pageText((await anonymousGet(RELEASE_PAGE)).body);
    expect(anonymousText.includes("Afmelden") || anonymousText.includes("Inbox")).toBe(false);
    expect(anonymousText.includes("Aanmelden")).toBe(true);
  });

  it("do not fill the cache with answers that are not a plain 200", async () => {
    const before = app.responseCache.stats().entries;
    for (let i = 0; i < 2; i++) expect((await anonymousGet(`/codes/${CODE}/releases/9.9`)).res.status).toBe(404);
    expect(app.responseCache.stats().entries).toBe(before);
  });
});

describe("the release JSON from the cache", () => {
  it("answers a revalidation with 304 and a HEAD without a body, keeping the CORS headers", async () => {
    const path = `/api/${"codes"}/${CODE}/releases/1.0`;
    const first = await anonymousGet(path);
    const etag = first.res.headers.get("ETag")!;
    expect(etag).toMatch(/^"/);
    const hitsBefore = app.responseCache.stats().hits;
    const again = await new Client(app.url).get(path, { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await again.text()).toBe("");
    const head = await fetch(app.url + path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("Content-Length"))).toBe(Buffer.byteLength(first.body));
    expect(await head.text()).toBe("");
    expect(app.responseCache.stats().hits - hitsBefore).toBe(2);
    expect(JSON.parse(first.body).version).toBe("1.0");
  });
});

describe("changes reach the next request", () => {
  it("a withdrawal: the badge served from the cache a moment ago says 'ingetrokken' right away", async () => {
    const creator = new Client(app.url);
    await creator.login("creator1@codewerf.test");
    const { id } = await app.db
      .selectFrom("pledges as p")
      .innerJoin("users as u", "u.id", "p.user_id")
      .select("p.id")
      .where("u.email", "=", "creator1@codewerf.test")
      .where("p.withdrawn_at", "is", null)
      .executeTakeFirstOrThrow();
    const badge = `/pledges/${id}/badge.svg`;
    await anonymousGet(badge);
    const hitsBefore = app.responseCache.stats().hits;
    const cached = await anonymousGet(badge);
    expect(app.responseCache.stats().hits).toBe(hitsBefore + 1);
    expect(cached.body).not.toContain("ingetrokken");

    expect((await creator.post(`/pledges/${id}`, { intent: "withdraw", reason: "" })).status).toBe(302);
    const after = await anonymousGet(badge);
    expect(after.body).toMatch(/<title>[^<]*ingetrokken/);
  });

  it("a publish: the cached list of releases shows the new version right away", async () => {
    const list = `/api/codes/${CODE}/releases`;
    await anonymousGet(list);
    const cached = await anonymousGet(list);
    expect(JSON.parse(cached.body).releases.map((r: { version: string }) => r.version)).toEqual(["1.0"]);

    const ministry = await app.db.selectFrom("users").select(["id", "role", "organisation_id", "in_drafting_group", "suspended_at"]).where("email", "=", "ministerie@codewerf.test").executeTakeFirstOrThrow();
    const preview = await publishPreview(app.db, ministry, CODE);
    const overrides = preview.readiness.filter((r) => !r.ready).map((r) => ({ sectionId: r.sectionId, reason: "Getest zonder alle goedkeuringen." }));
    await publishRelease(app.db, ministry, { codeId: CODE, kind: "minor", expectedLatest: "1.0", notes: "Verduidelijkingen.", whyChanged: {}, overrides });

    const after = await anonymousGet(list);
    expect(JSON.parse(after.body).releases.map((r: { version: string }) => r.version)).toEqual(["1.1", "1.0"]);
    const feed = await anonymousGet(`/codes/${CODE}/feed`);
    expect(feed.body).toContain("Versie 1.1");
  });
});
