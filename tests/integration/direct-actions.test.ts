// The form posts the server answers before Remix (server/direct-actions.ts): the answer is the
// one Remix gives for the same post (a plain form, a client-side submission's data request, a
// comment fetcher), and every case that is not plainly fine goes to Remix with the body intact:
// an invalid form (its field message proves Remix read the same body), a conflict (answered
// once, not run twice: the rate limit would tell), no session, a suspended person, a foreign
// Origin, a reply into another section. A client that gives up halfway leaves the server well.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

let app: TestApp;
let seq = 0;
const SECTION = "/codes/influencercode/sections/zelfdoding";
const COMMENTS_ROUTE = "routes/codes.$codeId.sections.$sectionId_.comments";

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

async function newSigner(): Promise<{ client: Client; id: string }> {
  const hash = await app.db.selectFrom("users").select("password_hash").where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow();
  const email = `direct${++seq}-${Date.now()}@example.be`;
  const user = await app.db
    .insertInto("users")
    .values({ email, display_name: `Direct ${seq}`, role: "influencer", password_hash: hash.password_hash, email_confirmed_at: new Date() })
    .returning("id")
    .executeTakeFirstOrThrow();
  const client = new Client(app.url);
  await client.login(email);
  return { client, id: user.id };
}

async function signForm(client: Client, fields: Record<string, string> = {}): Promise<Record<string, string>> {
  const html = await (await client.get("/pledge")).text();
  const hash = /name="textSha256" value="([0-9a-f]{64})"/.exec(html)?.[1];
  if (!hash) throw new Error(`no pledge form:\n${pageText(html).slice(0, 300)}`);
  return { publicName: "Directe naam", instagram: "", tiktok: "", youtube: "", twitch: "", under13: "no", guardianEmail: "", textSha256: hash, ...fields };
}

/** Status, the headers that matter, and the body of an answer; the per-request ones left out. */
async function shape(res: Response) {
  const volatile = new Set(["date", "content-security-policy", "connection", "keep-alive", "transfer-encoding", "content-length"]);
  const headers = [...res.headers.keys()].filter((k) => !volatile.has(k)).sort();
  return { status: res.status, headers, body: await res.text() };
}

const pledgesOf = (userId: string) => app.db.selectFrom("pledges").select(["id", "public_name"]).where("user_id", "=", userId).execute();

describe("form posts answered before Remix", () => {
  it("signs a pledge with the answer Remix gives, as a plain form and as a client-side submission", async () => {
    const a = await newSigner();
    const b = await newSigner();
    const before = { ...app.directActions };
    const direct = await a.client.post("/pledge", await signForm(a.client));
    expect(app.directActions.answered).toBe(before.answered + 1);
    // An extra query parameter leaves the same post to Remix.
    const remix = await b.client.post("/pledge?via=remix", await signForm(b.client));
    expect(app.directActions.answered).toBe(before.answered + 1);
    const [d, r] = [await shape(direct), await shape(remix)];
    expect(d.status).toBe(302);
    expect(d).toEqual({ ...r, headers: r.headers });
    const [pa] = await pledgesOf(a.id);
    expect(direct.headers.get("location")).toBe(`/pledges/${pa.id}?signed=1`);
    expect(pa.public_name).toBe("Directe naam");

    // Remix's data request (JavaScript on): 204 and where to go in its own headers.
    const c = await newSigner();
    const e = await newSigner();
    const dataDirect = await c.client.post("/pledge?_data=routes%2Fpledge", await signForm(c.client));
    const dataRemix = await e.client.post("/pledge?_data=routes%2Fpledge&via=remix", await signForm(e.client));
    expect(app.directActions.answered).toBe(before.answered + 2);
    const [dd, dr] = [await shape(dataDirect), await shape(dataRemix)];
    expect(dd.status).toBe(204);
    expect(dd).toEqual(dr);
    expect(dataDirect.headers.get("x-remix-redirect")).toBe(`/pledges/${(await pledgesOf(c.id))[0].id}?signed=1`);
    expect(dataDirect.headers.get("x-remix-status")).toBe("302");
  });

  it("posts a comment with the answer Remix gives, to the panel's fetcher and to a form without JavaScript", async () => {
    const writer = new Client(app.url);
    await writer.login("creator1@codewerf.test");
    const before = app.directActions.answered;
    const fetcher = `${SECTION}/comments?fetch=1&_data=${encodeURIComponent(COMMENTS_ROUTE)}`;
    const direct = await writer.post(fetcher, { intent: "create", body: "Direct geplaatst: klopt dit telefoonnummer van Awel?" });
    const remix = await writer.post(`${fetcher}&via=remix`, { intent: "create", body: "Via Remix geplaatst: klopt dit telefoonnummer van Awel?" });
    expect(app.directActions.answered).toBe(before + 1);
    const [d, r] = [await shape(direct), await shape(remix)];
    expect(d.status).toBe(200);
    expect(d.headers).toEqual(r.headers);
    expect(direct.headers.get("x-remix-response")).toBe("yes");
    const body = JSON.parse(d.body) as { ok: boolean; threadId: string; commentId: string };
    expect(Object.keys(body).sort()).toEqual(Object.keys(JSON.parse(r.body)).sort());
    expect(body.ok).toBe(true);
    const row = await app.db.selectFrom("comments").select(["body", "thread_id"]).where("id", "=", body.commentId).executeTakeFirstOrThrow();
    expect(row).toEqual({ body: "Direct geplaatst: klopt dit telefoonnummer van Awel?", thread_id: body.threadId });

    // Without JavaScript: back to the section, at the thread.
    const plain = await writer.post(`${SECTION}/comments`, { intent: "reply", threadId: body.threadId, body: "En zonder JavaScript." });
    const plainRemix = await writer.post(`${SECTION}/comments?via=remix`, { intent: "reply", threadId: body.threadId, body: "En zonder JavaScript, via Remix." });
    expect(app.directActions.answered).toBe(before + 2);
    const [p, pr] = [await shape(plain), await shape(plainRemix)];
    expect(p.status).toBe(303);
    expect(p).toEqual(pr);
    expect(plain.headers.get("location")).toBe(`${SECTION}#thread-${body.threadId}`);
  });

  it("leaves an invalid form to Remix with the same body: the page names the field", async () => {
    const a = await newSigner();
    const before = { ...app.directActions };
    const res = await a.client.post("/pledge", await signForm(a.client, { instagram: "niet geldig!!" }));
    expect(res.status).toBe(400);
    // Only the handle is wrong: had Remix read an empty body, it would not name that one.
    expect(pageText(await res.text())).toContain("Dit is geen geldige gebruikersnaam voor dit platform.");
    expect(app.directActions).toEqual({ answered: before.answered, passedOn: before.passedOn + 1 });
    expect(await pledgesOf(a.id)).toEqual([]);
  });

  it("answers a conflict through Remix without running the action twice", async () => {
    const a = await newSigner();
    const before = { ...app.directActions };
    // The signing limit is 10 per 10 minutes; counted twice, the sixth would be refused with 429.
    for (let i = 0; i < 6; i++) {
      const res = await a.client.post("/pledge", await signForm(a.client, { textSha256: "ab".repeat(32) }));
      expect(res.status).toBe(409);
      expect(pageText(await res.text())).toContain("Intussen verscheen er een nieuwe versie van de code");
    }
    expect(app.directActions).toEqual({ answered: before.answered, passedOn: before.passedOn + 6 });
    expect(await pledgesOf(a.id)).toEqual([]);
  });

  it("leaves posts without a valid session, from a suspended person or from elsewhere to Remix's refusals", async () => {
    const before = { ...app.directActions };
    const a = await newSigner();
    const form = await signForm(a.client);

    const anonymous = new Client(app.url);
    const signedOut = await anonymous.post("/pledge", form);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toBe("/login?redirectTo=%2Fpledge");

    const forged = new Client(app.url);
    forged.cookie = a.client.cookie.replace(/codewerf_session=([^;]+)/, (_m, v: string) => `codewerf_session=${v.slice(0, -4)}AAAA`);
    const bad = await forged.post("/pledge", form);
    expect(bad.status).toBe(302);
    expect(bad.headers.get("location")).toMatch(/^\/login/);

    await app.db.updateTable("users").set({ suspended_at: new Date() }).where("id", "=", a.id).execute();
    const suspended = await a.client.post("/pledge", form);
    expect(suspended.status).toBe(302);
    expect(suspended.headers.get("location")).toMatch(/^\/login/);
    await app.db.updateTable("users").set({ suspended_at: null }).where("id", "=", a.id).execute();

    const elsewhere = new Client(app.url, "https://evil.example");
    elsewhere.cookie = a.client.cookie;
    expect((await elsewhere.post("/pledge", form)).status).toBe(403);

    expect(app.directActions.answered).toBe(before.answered);
    expect(await pledgesOf(a.id)).toEqual([]);

    // A reply into a thread of another section: Remix's 404 with the message, nothing written.
    const writer = new Client(app.url);
    await writer.login("creator2@codewerf.test");
    const created = await writer.post(`${SECTION}/comments`, { intent: "create", body: "Een draad in zelfdoding." }, { Accept: "application/json" });
    const { threadId } = (await created.json()) as { threadId: string };
    const count = async () => Number((await app.db.selectFrom("comments").select((e) => e.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
    const n = await count();
    const answered = app.directActions.answered;
    const wrong = await writer.post("/codes/influencercode/sections/grenzen/comments", { intent: "reply", threadId, body: "Verkeerde sectie." }, { Accept: "application/json" });
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as { ok: boolean; formError: string }).ok).toBe(false);
    expect(app.directActions.answered).toBe(answered);
    expect(await count()).toBe(n);
  });

  it("stays well when a client sends half a form and goes away", async () => {
    const a = await newSigner();
    const { port } = new URL(app.url);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /pledge HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${app.url}\r\nCookie: ${a.client.cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\npublicName=Half`,
          () => socket.destroy(),
        );
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    // The server answers the next post as ever, and nothing was signed by the half one.
    const res = await a.client.post("/pledge", await signForm(a.client));
    expect(res.status).toBe(302);
    expect((await pledgesOf(a.id)).map((p) => p.public_name)).toEqual(["Directe naam"]);
  });
});
