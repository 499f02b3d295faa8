// `npm run bench:comments`: a section with 500 threads and 5,000 replies on PostgreSQL.
// 1. The page's comment data (listThreads: threads, comments, names, anchor state; half the
//    threads anchored to spans of the text): server time measured in-process with nothing
//    changed (50 calls), right after a reply and right after an edit of the text (20 each), and
//    in a fresh pool with nothing cached (5); and the JSON endpoint under autocannon.
// 2. Posting a comment (a reply, through the real HTTP endpoint with session and Origin) with
//    autocannon from another process against the production server bundle: once as fast as the
//    connections go (the most it takes, and its latency), once at the goal's 500 req/s sent on a
//    fixed schedule by bench/paced.ts (latency from each request's scheduled time).
// Options: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 16), BENCH_ADMIN_URL,
// BENCH_NODE_ARGS (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof";
// the profile is written when the server stops at the end), BENCH_SKIP_DATA=1 (skip the JSON
// endpoint's load test, e.g. to profile posting alone), BENCH_PACED_TRACE=1 (print the paced
// run's worst latency per 100 ms of its schedule).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { sql } from "kysely";
import { openDatabase } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { initProseMirrorDoc } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import type { DB } from "../app/db.server";
import { anchorFromProseMirror, resolveInProseMirror } from "../app/domain/anchors";
import { docName, richTextSchema, YDOC_FRAGMENT } from "../app/domain/richtext";
import { listThreads, reply } from "../app/models/comments.server";
import { appendUpdate, loadDocState } from "../app/models/ydocs.server";
import { DEMO_PASSWORD, seedDemoData } from "../seeds/index";
import { buildIfStale, SERVER_BUNDLE } from "../scripts/build-if-stale.mjs";
import { freePort } from "../tests/support/server-process";
import type { PacedJob, PacedResult } from "./paced";
import { cpuSeconds } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const SECTION = "zelfdoding";
/** The figure for posting: ≥ 500 req/s with p99 ≤ 30 ms. */
const GOAL_RATE = 500;
const HAS_TASKSET = spawnSync("taskset", ["-V"]).status === 0 && os.cpus().length >= 2;
const pinned = (core: number, cmd: string, args: string[]): [string, string[]] => (HAS_TASKSET ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, child: ChildProcess) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("server exited early");
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("server did not become healthy");
    await sleep(50);
  }
}

/** Up to `n` anchors over words of the section's stored text (distinct while there are enough words). */
async function textAnchors(db: DB, n: number) {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, (await loadDocState(db, docName("influencercode", SECTION))).state);
  const type = ydoc.getXmlFragment(YDOC_FRAGMENT);
  const { doc, mapping } = initProseMirrorDoc(type, richTextSchema);
  const spans: { from: number; to: number; quote: string }[] = [];
  doc.descendants((node, pos) => {
    if (node.isText) for (const m of (node.text ?? "").matchAll(/\p{L}{4,}/gu)) spans.push({ from: pos + m.index!, to: pos + m.index! + m[0].length, quote: m[0] });
  });
  // Only anchors that resolve back to their span (one at the very start of the text does not:
  // see bench/README.md).
  const anchors = spans
    .map((s) => ({ ...anchorFromProseMirror(type, mapping, s.from, s.to), quote: s.quote, span: s }))
    .filter((a) => {
      const r = resolveInProseMirror(ydoc, type, mapping, a);
      return r?.from === a.span.from && r.to === a.span.to;
    });
  if (!anchors.length) throw new Error("no words to anchor to");
  return Array.from({ length: n }, (_, i) => anchors[i % anchors.length]);
}

/** An edit as a client sends it: `text` typed at the start of the first paragraph (anchors stay attached). */
async function typeInText(db: DB, text: string) {
  const name = docName("influencercode", SECTION);
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, (await loadDocState(db, name)).state);
  const before = Y.encodeStateVector(ydoc);
  const first = ydoc.getXmlFragment(YDOC_FRAGMENT).get(0);
  const textNode = first instanceof Y.XmlElement ? first.get(0) : null;
  if (!(textNode instanceof Y.XmlText)) throw new Error("first paragraph has no text");
  textNode.insert(0, text);
  await appendUpdate(db, name, Y.encodeStateAsUpdate(ydoc, before), []);
  ydoc.destroy();
}

interface AC {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Server CPU time (user + system) per request, µs: steadier than req/s on a shared machine. */
  cpuUs: number;
}
async function autocannon(url: string, seconds: number, headers: Record<string, string>, post?: string, serverPid?: number): Promise<AC> {
  const acArgs = ["node_modules/autocannon/autocannon.js", "--json", "-c", String(CONNECTIONS), "-d", String(seconds)];
  for (const [k, v] of Object.entries(headers)) acArgs.push("-H", `${k}=${v}`);
  if (post !== undefined) acArgs.push("-m", "POST", "-b", post);
  acArgs.push(url);
  const [cmd, args] = pinned(1, process.execPath, acArgs);
  const cpuBefore = cpuSeconds(serverPid);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${err}`);
  const r = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number; non2xx: number };
  const cpuUs = r.requests.total > 0 ? (cpu * 1e6) / r.requests.total : 0;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total, cpuUs };
}

/** The goal's rate on a fixed schedule (bench/paced.ts), from a process pinned to core 1. */
async function pacedLoad(job: PacedJob, serverPid?: number): Promise<AC> {
  const file = path.join(os.tmpdir(), `codewerf-bench-paced-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(job));
  const [cmd, args] = pinned(1, process.execPath, ["--import", "tsx", "bench/paced.ts", file]);
  const cpuBefore = cpuSeconds(serverPid);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  fs.rmSync(file, { force: true });
  if (code !== 0) throw new Error(`paced load failed (${code}): ${err}`);
  if (process.env.BENCH_PACED_TRACE && err) console.log(err.trim());
  const r = JSON.parse(out) as PacedResult;
  const good = r.statuses[String(job.expect.status)] ?? 0;
  return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, non2xx: r.total - good, total: r.total, cpuUs: r.total > 0 ? (cpu * 1e6) / r.total : 0 };
}

async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, redirectTo: "/" }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("codewerf_session="));
  if (res.status !== 302 || !cookie) throw new Error(`login failed: ${res.status}`);
  return cookie.split(";")[0];
}

async function main() {
  await buildIfStale();
  const dbName = `codewerf_bench_comments_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  let server: ChildProcess | undefined;
  try {
    const db = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 2 });
    await migrateToLatest(db);
    await seedDemoData(db);
    // 500 section-level threads and 5,000 replies (10 per thread) by rotating authors.
    await sql`
      with authors as (select array_agg(id order by email) as ids from users),
      t as (
        insert into comment_threads (code_id, section_id, created_by, created_at)
        select 'influencercode', ${SECTION}, (select ids[1 + g % array_length(ids, 1)] from authors), now() - (g || ' minutes')::interval
          from generate_series(1, 500) g returning id, created_by
      ),
      first as (insert into comments (thread_id, author_id, body) select id, created_by, 'Opmerking ' || id from t returning thread_id)
      insert into comments (thread_id, author_id, body, created_at)
      select t.id, (select ids[1 + r % array_length(ids, 1)] from authors), 'Antwoord ' || r || E'\nmet een tweede regel en https://www.awel.be', now() + (r || ' seconds')::interval
        from t cross join generate_series(1, 10) r`.execute(db);
    // Every other thread anchored to a span of the section's text (distinct words where the
    // text has enough), so loading resolves 250 Yjs relative positions against the document.
    const anchors = await textAnchors(db, 250);
    await sql`
      with a as (select * from unnest(${anchors.map((a) => a.start)}::text[], ${anchors.map((a) => a.end)}::text[], ${anchors.map((a) => a.quote)}::text[]) with ordinality as a(s, e, q, n)),
      t as (select id, row_number() over (order by created_at, id) as n from comment_threads where section_id = ${SECTION})
      update comment_threads ct set anchor_start = a.s, anchor_end = a.e, quote = a.q from t join a on a.n = (t.n + 1) / 2 where ct.id = t.id and t.n % 2 = 1`.execute(db);
    const counts = await sql<{ threads: string; comments: string; anchored: string }>`select (select count(*) from comment_threads) as threads, (select count(*) from comments) as comments, (select count(*) from comment_threads where anchor_start is not null) as anchored`.execute(db);
    console.log(`seeded ${counts.rows[0].threads} threads (${counts.rows[0].anchored} anchored), ${counts.rows[0].comments} comments on ${SECTION}`);
    // As autovacuum would have by now: without statistics the planner found the thread through
    // the section index (filtering 500 rows) rather than by its key.
    await sql`analyze`.execute(db);

    // 1. Server time of the page's comment data, in-process: unchanged data (the cache's case),
    //    right after a reply, right after an edit of the text, and a cold process (new pool).
    const viewer = await db.selectFrom("users").selectAll().where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow();
    const replier = await db.selectFrom("users").selectAll().where("email", "=", "creator2@codewerf.test").executeTakeFirstOrThrow();
    const someThread = (await db.selectFrom("comment_threads").select("id").where("section_id", "=", SECTION).orderBy("created_at").limit(1).executeTakeFirstOrThrow()).id;
    const timeLoad = async (on: DB = db) => {
      const t0 = performance.now();
      const threads = await listThreads(on, viewer, "influencercode", SECTION);
      const ms = performance.now() - t0;
      if (threads.length !== 500) throw new Error(`expected 500 threads, got ${threads.length}`);
      const attached = threads.filter((t) => t.anchorStart && !t.detached).length;
      if (attached !== 250) throw new Error(`expected 250 attached anchors, got ${attached}`);
      return ms;
    };
    for (let i = 0; i < 5; i++) await timeLoad();
    const unchanged: number[] = [];
    for (let i = 0; i < 50; i++) unchanged.push(await timeLoad());
    const afterReply: number[] = [];
    for (let i = 0; i < 20; i++) {
      await reply(db, replier, "influencercode", SECTION, someThread, `Antwoord ${i}`);
      afterReply.push(await timeLoad());
    }
    const afterEdit: number[] = [];
    for (let i = 0; i < 20; i++) {
      await typeInText(db, `x${i} `);
      afterEdit.push(await timeLoad());
    }
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 2 });
      // Both connections open, as in a running server; then nothing of this pool is cached.
      await Promise.all([sql`select pg_sleep(0.01)`.execute(fresh), sql`select pg_sleep(0.01)`.execute(fresh)]);
      cold.push(await timeLoad(fresh));
      await fresh.destroy();
    }
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: s[Math.floor((s.length - 1) / 2)], p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)], max: s[s.length - 1] };
    };
    const loads = { unchanged: stats(unchanged), afterReply: stats(afterReply), afterEdit: stats(afterEdit), cold: stats(cold) };
    const threadId = (await db.selectFrom("comment_threads").select("id").where("section_id", "=", SECTION).limit(1).executeTakeFirstOrThrow()).id;
    await db.destroy();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.DATA_DIR;
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const [cmd, args] = pinned(0, process.execPath, [...nodeArgs, SERVER_BUNDLE]);
    server = spawn(cmd, args, {
      env: { ...env, NODE_ENV: "production", LOG_LEVEL: "warn", SESSION_SECRET: "bench-session-secret-0123456789", PORT: String(port), HOST: "127.0.0.1", PUBLIC_ORIGIN: base, DATABASE_URL: dbUrl.toString() } as NodeJS.ProcessEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    await waitHealthy(base, server);
    const cookie = await login(base, "creator2@codewerf.test");
    const loadAtStart = os.loadavg().map((l) => l.toFixed(1)).join(" ");

    const dataUrl = `${base}/codes/influencercode/sections/${SECTION}/comments`;
    const skipData = process.env.BENCH_SKIP_DATA === "1";
    if (!skipData) await autocannon(dataUrl, 2, { Cookie: cookie });
    const data = skipData ? undefined : await autocannon(dataUrl, SECONDS, { Cookie: cookie }, undefined, server.pid);

    const body = new URLSearchParams({ intent: "reply", threadId, body: "Goed punt, akkoord met dit voorstel." }).toString();
    const postHeaders = { Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" };
    // What the panel's fetcher sends once hydrated: `?fetch=1` (JSON back) plus Remix's `_data`.
    const postUrl = `${dataUrl}?fetch=1&_data=${encodeURIComponent("routes/codes.$codeId.sections.$sectionId_.comments")}`;
    const check = await fetch(postUrl, { method: "POST", headers: postHeaders, body });
    if (check.status !== 200) throw new Error(`posting answered ${check.status}: ${await check.text()}`);
    await autocannon(postUrl, 2, postHeaders, body);
    const post = await autocannon(postUrl, SECONDS, postHeaders, body, server.pid);
    // The goal's own load: 500 replies a second on a fixed schedule (bench/paced.ts), over the
    // same number of connections, each reply's latency counted from its scheduled time. The run
    // above keeps every connection busy, so its latency is mostly the queue that load builds.
    const atGoal = await pacedLoad(
      { url: postUrl, method: "POST", headers: postHeaders, body, rate: GOAL_RATE, seconds: SECONDS, connections: CONNECTIONS, warmupSeconds: 2, expect: { status: 200 } },
      server.pid,
    );

    const ok = (b: boolean) => (b ? "met" : "NOT met");
    const table = [
      `| measurement | result | goal | |`,
      `|---|---|---|---|`,
      ...(
        [
          ["unchanged since the last load (50 loads)", loads.unchanged],
          ["right after a reply (20 loads)", loads.afterReply],
          ["right after an edit of the text (20 loads)", loads.afterEdit],
          ["first load of a fresh pool, nothing cached (5 loads)", loads.cold],
        ] as const
      ).map(([what, l]) => `| comment data (500 threads, 250 anchored, 5,000 replies), server time in-process: ${what} | median ${l.median.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, max ${l.max.toFixed(1)} ms | ≤ 50 ms | ${ok(l.p95 <= 50)} |`),
      ...(data ? [`| comment data JSON over HTTP (${CONNECTIONS} connections) | ${Math.round(data.rps)} req/s, p50 ${data.p50} ms, p99 ${data.p99} ms (${data.errors} errors, ${data.non2xx} non-2xx), ${Math.round(data.cpuUs)} µs server CPU/request | – | |`] : []),
      `| posting a comment (reply) over HTTP, as fast as ${CONNECTIONS} connections go (the most it takes) | ${Math.round(post.rps)} req/s, p50 ${post.p50} ms, p99 ${post.p99} ms (${post.errors} errors, ${post.non2xx} non-2xx), ${Math.round(post.cpuUs)} µs server CPU/request | ≥ 500 req/s with p99 ≤ 30 ms | ${ok(post.rps >= GOAL_RATE && post.p99 <= 30 && post.errors + post.non2xx === 0)} |`,
      `| posting a comment (reply) over HTTP, ${GOAL_RATE} req/s sent on a fixed schedule over ${CONNECTIONS} connections (latency from each one's scheduled time) | ${Math.round(atGoal.rps)} req/s answered, p50 ${atGoal.p50} ms, p99 ${atGoal.p99} ms (${atGoal.errors} errors, ${atGoal.non2xx} non-2xx), ${Math.round(atGoal.cpuUs)} µs server CPU/request | ${GOAL_RATE} req/s with p99 ≤ 30 ms | ${ok(atGoal.rps >= GOAL_RATE * 0.98 && atGoal.p99 <= 30 && atGoal.errors + atGoal.non2xx === 0)} |`,
    ].join("\n");
    console.log(`\nserver pinned: ${HAS_TASKSET}; load average at start ${loadAtStart}, at end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n\n${table}\n`);
  } catch (err) {
    console.error("bench failed:", err);
    process.exitCode = 1;
  } finally {
    server?.kill("SIGTERM");
    if (server) await new Promise((r) => server!.once("exit", r));
    await sleep(200);
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

await main();
