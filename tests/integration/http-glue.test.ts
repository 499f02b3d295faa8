// The glue between Node, Express and Remix (server/http.ts), kept free of two costs measured
// here (docs/decisions.md): requests and responses are made with Express's methods already on
// them (httpServerOptions), so Express never swaps their prototypes; and Remix's Request carries
// its abort signal without handing it to the Request constructor (remixRequest), yet still
// aborts when the client leaves.
import type http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpServerOptions } from "../../server/http";
import { startTestApp, type TestApp } from "../support/app";
import { waitFor } from "../support/collab";
import { Client } from "../support/http";

let app: TestApp;
const seen: { path: string; created: [object | null, object | null]; finished?: [object | null, object | null]; app?: unknown }[] = [];
beforeAll(async () => {
  app = await startTestApp();
  app.server.prependListener("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const entry: (typeof seen)[number] = { path: req.url ?? "", created: [Object.getPrototypeOf(req), Object.getPrototypeOf(res)] };
    seen.push(entry);
    res.on("finish", () => {
      entry.finished = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)];
      entry.app = (req as unknown as { app?: unknown }).app;
    });
  });
});
afterAll(async () => app?.close());

describe("Express without the prototype swap", () => {
  it("keeps every request's and response's prototype, on every kind of answer", async () => {
    const origin = { Origin: app.url };
    const answers = await Promise.all([
      fetch(`${app.url}/`), // a Remix page
      fetch(`${app.url}/healthz`), // answered by Express itself
      fetch(`${app.url}/favicon.svg`), // a file from public/
      fetch(`${app.url}/bestaat-niet`), // Remix's 404
      fetch(`${app.url}/language`, { method: "POST", redirect: "manual", headers: { ...origin, "content-type": "application/x-www-form-urlencoded" }, body: "locale=en&redirectTo=%2F" }),
      fetch(`${app.url}/language`, { method: "POST", headers: { Origin: "https://elders.example", "content-type": "application/x-www-form-urlencoded" }, body: "locale=en" }), // refused by the Origin check
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 404, 302, 403]);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const entry of seen) {
      expect(entry.created, entry.path).toEqual([httpServerOptions.IncomingMessage!.prototype, httpServerOptions.ServerResponse!.prototype]);
      expect(entry.finished, entry.path).toEqual(entry.created);
    }
  });

  it("still gives Express's methods their app (trust proxy decides the client address)", async () => {
    // The login limit counts per client address, which req.ip reads through this.app's
    // "trust proxy" setting: with the app missing, it would throw and the form would fail.
    const res = await fetch(`${app.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { Origin: app.url, "content-type": "application/x-www-form-urlencoded", "X-Forwarded-For": "203.0.113.77" },
      body: "email=niemand%40codewerf.test&password=fout-wachtwoord",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("horen niet bij elkaar");
    const login = seen.find((e) => e.path.startsWith("/login"));
    expect(login?.app).toBeTypeOf("function");
  });
});

describe("Remix's request", () => {
  it("aborts its signal when the client leaves: a live event stream closes with its reader", async () => {
    const streams = async () => ((await (await fetch(`${app.url}/healthz`)).json()) as { eventStreams: { open: number; opened: number } }).eventStreams;
    const reader = new Client(app.url);
    await reader.login("awel@codewerf.test");
    const before = await streams();
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let got = "";
    socket.on("data", (d) => (got += d));
    socket.write(["GET /codes/influencercode/sections/zelfdoding/comments/live HTTP/1.1", `Host: 127.0.0.1:${port}`, `Cookie: ${reader.cookie}`, "Accept: text/event-stream", "", ""].join("\r\n"));
    await waitFor(() => got.includes('data: {"type":"hello"}'), "the stream's first event");
    expect(await streams()).toMatchObject({ open: before.open + 1, opened: before.opened + 1 });
    socket.destroy();
    await waitFor(async () => (await streams()).open === before.open, "the stream to close with its client", 5_000);
  });

  it("refuses with a 403 and a sentence, not Remix's 500, a post whose Origin is not the host it reached", async () => {
    // Our own origin, but the request reached another host (a proxy passing the wrong host on,
    // or the app asked at 127.0.0.1 from a page of localhost): Remix would abort the action with an error.
    const res = await fetch(`${app.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { Origin: app.url, "X-Forwarded-Host": "codewerf.elders.example", "content-type": "application/x-www-form-urlencoded" },
      body: "email=creator1%40codewerf.test&password=codewerf-demo",
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("komt niet van Codewerf zelf");
  });
});
