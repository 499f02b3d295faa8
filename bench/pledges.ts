// `npm run bench:pledges`: the live badge and signing under load, and the registry with
// 100,000 pledges, against the real server (`npm start`'s bundle) on PostgreSQL. The server is
// pinned to core 0; the load comes from a second process (autocannon, core 1).
//
// Options (environment): BENCH_SECONDS (per load measurement, default 10), BENCH_CONNECTIONS
// (default 32), BENCH_PLEDGES (registry size, default 100000), BENCH_SIGNERS (distinct signed-in
// signers, default 60000), BENCH_ADMIN_URL (default postgres://root@127.0.0.1:5432/postgres),
// BENCH_ONLY (comma-separated subset of registry,badge,sign; default all), BENCH_PACED_TRACE=1
// (print the paced run's worst latency per 100 ms of its schedule), BENCH_NODE_ARGS
// (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; the profile is
// written when the server stops at the end), BENCH_SERVER_LOG (a file for the server's output,
// e.g. with BENCH_NODE_ARGS="--trace-gc").
import { createCookie } from "@remix-run/node";
import { spawn, spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { pledgeText } from "../app/domain/pledges";
import { seedDemoData } from "../seeds/index";
import { buildIfStale, SERVER_BUNDLE } from "../scripts/build-if-stale.mjs";
import { freePort } from "../tests/support/server-process";
import { cpuSeconds } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PLEDGES = Number(process.env.BENCH_PLEDGES ?? 100_000);
const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 60_000);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const SECRET = "bench-session-secret-0123456789";
const HAS_TASKSET = spawnSync("taskset", ["-V"]).status === 0 && os.cpus().length >= 2;
/** Signatures per second the issue asks for. */
const SIGN_GOAL = 1500;
/** Seconds of the paced run sent first and not counted (bench/paced.ts). */
const PACED_WARMUP = 2;
const ONLY = new Set((process.env.BENCH_ONLY ?? "registry,badge,sign").split(",").map((s) => s.trim()));
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  statuses: Record<string, number>;
  /** Server CPU time (user + system) per request in µs, filled in by the main process. */
  cpuUs?: number;
}

// ---------------------------------------------------------------------------------------------
// The load generator (second process): BENCH_ROLE=load, its job as JSON in BENCH_JOB.
// ---------------------------------------------------------------------------------------------

interface Job {
  base: string;
  kind: "badge" | "sign" | "floor";
  seconds: number;
  paths?: string[];
  cookies?: string[];
  body?: string;
  /** Requests per second sent on a fixed schedule (bench/paced.ts); unset: as fast as the connections go (autocannon). */
  rate?: number;
}

async function runLoad(job: Job): Promise<LoadResult> {
  // autocannon ships no types; this is the part of its API used here.
  type Result = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number };
  const autocannon = ((await import("autocannon" as string)) as { default: (opts: object) => Promise<Result> }).default;
  const statuses: Record<string, number> = {};
  let i = 0;
  const count = (key: string) => void (statuses[key] = (statuses[key] ?? 0) + 1);
  const request =
    job.kind === "floor"
      ? {
          method: "POST" as const,
          path: "/language",
          body: job.body,
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: job.base },
          onResponse: (status: number, _body: string, _ctx: unknown, headers: Record<string, string>) =>
            count(status === 302 && headers.location !== "/pledges" ? `302 to ${headers.location}` : String(status)),
        }
      : job.kind === "badge"
      ? {
          method: "GET" as const,
          setupRequest: (req: Record<string, unknown>) => ({ ...req, path: job.paths![i++ % job.paths!.length] }),
          onResponse: (status: number) => count(String(status)),
        }
      : {
          method: "POST" as const,
          path: "/pledge",
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: job.body,
            headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: job.base, Cookie: job.cookies![i++ % job.cookies!.length] },
          }),
          // A redirect counts as a signature only when it goes to the new pledge (not to /login).
          onResponse: (status: number, _body: string, _ctx: unknown, headers: Record<string, string>) =>
            count(status === 302 && !/^\/pledges\/[0-9a-f-]{36}\?signed=1$/.test(headers.location ?? "") ? `302 to ${headers.location}` : String(status)),
        };
  if (job.rate) {
    // The goal's own rate, on a fixed schedule (bench/paced.ts).
    const { paced } = await import("./paced");
    if (job.kind !== "sign") throw new Error("paced runs are for signing");
    const r = await paced({
      url: `${job.base}/pledge`,
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: job.base },
      body: job.body,
      cookies: job.cookies,
      rate: job.rate,
      seconds: job.seconds,
      connections: CONNECTIONS,
      warmupSeconds: PACED_WARMUP,
      expect: { status: 302, location: "^/pledges/[0-9a-f-]{36}\\?signed=1$" },
    });
    return { rps: r.rps, p50: r.p50, p99: r.p99, total: r.total, errors: r.errors, statuses: r.statuses };
  }
  const r = await autocannon({ url: job.base, connections: CONNECTIONS, duration: job.seconds, requests: [request] });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, errors: r.errors + r.timeouts, statuses };
}

if (process.env.BENCH_ROLE === "load") {
  const job = JSON.parse(fs.readFileSync(process.env.BENCH_JOB!, "utf8")) as Job;
  process.stdout.write(JSON.stringify(await runLoad(job)));
  process.exit(0);
}

async function load(job: Job, serverPid?: number): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `codewerf-bench-job-${process.pid}-${job.kind}.json`);
  fs.writeFileSync(file, JSON.stringify(job));
  const tsx = path.resolve("node_modules/.bin/tsx");
  const [cmd, args] = HAS_TASKSET ? ["taskset", ["-c", "1", tsx, "bench/pledges.ts"]] : [tsx, ["bench/pledges.ts"]];
  const child = spawn(cmd, args, { env: { ...process.env, BENCH_ROLE: "load", BENCH_JOB: file }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  // Includes the load generator's start-up, when the server is idle: a slight overestimate of
  // nothing, since an idle server uses no CPU.
  const cpuBefore = cpuSeconds(serverPid);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  fs.rmSync(file, { force: true });
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err}`);
  if (process.env.BENCH_PACED_TRACE && err) console.log(err.trim());
  const result = JSON.parse(out) as LoadResult;
  return { ...result, cpuUs: result.total ? Math.round((cpu * 1e6) / result.total) : 0 };
}

// ---------------------------------------------------------------------------------------------
// Setup and measurement (the main process)
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output()}`);
    await sleep(50);
  }
}

/** Sequential GETs (one at a time, so latency ≈ server time on loopback): p50/p99 in ms, server CPU µs per request. */
async function timed(url: string, n: number, check: (body: string) => boolean, serverPid?: number): Promise<{ p50: number; p99: number; max: number; cpuUs: number }> {
  const times: number[] = [];
  let cpuBefore = 0;
  for (let i = 0; i < n + 5; i++) {
    if (i === 5) cpuBefore = cpuSeconds(serverPid);
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200 || !check(body)) throw new Error(`${url} answered ${res.status}`);
    if (i >= 5) times.push(ms); // the first few warm up JIT and caches
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: Math.round(times[times.length - 1] * 10) / 10, cpuUs: Math.round(((cpuSeconds(serverPid) - cpuBefore) * 1e6) / n) };
}

async function main() {
  await buildIfStale();
  const dbName = `codewerf_bench_pledges_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  let server: ReturnType<typeof spawn> | undefined;
  let out = "";
  try {
    const db = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 2 });
    await migrateToLatest(db);
    await seedDemoData(db);
    const release = await db.selectFrom("releases").select(["id", "version", "code_title"]).where("version", "=", "1.0").executeTakeFirstOrThrow();
    const text = pledgeText(release.code_title, release.version);
    const textSha256 = (await import("node:crypto")).createHash("sha256").update(text, "utf8").digest("hex");

    // 100,000 confirmed pledges by as many accounts, signed over the past year.
    const t0 = performance.now();
    await pg_exec(dbUrl.toString(), [
      `insert into users (email, display_name, role, email_confirmed_at) select 'registry' || g || '@bench.example', 'Maker ' || g, 'influencer', now() from generate_series(1, ${PLEDGES}) g`,
      `insert into pledges (release_id, user_id, public_name, instagram, tiktok, text_sha256, signed_at, email_confirmed_at, confirmed_at)
         select '${release.id}', u.id, u.display_name, 'maker' || substr(u.email, 9, position('@' in u.email) - 9), null, '${textSha256}', now() - (random() * interval '365 days'), now(), now()
         from users u where u.email like 'registry%@bench.example'`,
      `insert into users (email, display_name, role, email_confirmed_at) select 'signer' || g || '@bench.example', 'Signer ' || g, 'influencer', now() from generate_series(1, ${SIGNERS}) g`,
      "analyze",
    ]);
    // A session per signer, written as the server would (HMAC of a random token in the row, the signed token in the cookie).
    const cookie = createCookie("codewerf_session", { httpOnly: true, sameSite: "lax", secure: false, path: "/", secrets: [SECRET] });
    const signers = await db.selectFrom("users").select("id").where("email", "like", "signer%@bench.example").execute();
    const cookies: string[] = [];
    const expires = new Date(Date.now() + 24 * 3600 * 1000);
    for (let i = 0; i < signers.length; i += 5000) {
      const rows = [];
      for (const s of signers.slice(i, i + 5000)) {
        const token = randomBytes(32).toString("base64url");
        rows.push({ id: createHmac("sha256", SECRET).update(token).digest("base64url"), user_id: s.id, expires_at: expires });
        cookies.push((await cookie.serialize(token)).split(";")[0]);
      }
      await db.insertInto("sessions").values(rows).execute();
    }
    const badgeIds = (await db.selectFrom("pledges").select("id").orderBy("signed_at", "desc").limit(1000).execute()).map((r) => r.id);
    await db.destroy();
    console.log(`setup: ${PLEDGES} pledges, ${signers.length} signers with sessions in ${Math.round(performance.now() - t0)} ms`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", SESSION_SECRET: SECRET, PORT: String(port), HOST: "127.0.0.1", PUBLIC_ORIGIN: base, DATABASE_URL: dbUrl.toString() };
    delete env.DATA_DIR;
    const nodeArgs = [...NODE_ARGS, SERVER_BUNDLE];
    const [cmd, args] = HAS_TASKSET ? ["taskset", ["-c", "0", process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    server = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d) => (out += d));
    server.stderr!.on("data", (d) => (out += d));
    await waitHealthy(base, () => out);
    const loadStart = os.loadavg().map((l) => l.toFixed(1)).join(" ");
    console.log(`server on ${base} (pinned: ${HAS_TASKSET}), ${CONNECTIONS} connections, ${SECONDS} s per load; load average ${loadStart}`);

    // The registry with 100,000 pledges: first page, a search, a deep page, the JSON.
    const firstPage = await (await fetch(`${base}/api/pledges`)).json();
    let after = firstPage.next as string;
    for (let i = 0; i < 20 && after; i++) after = (await (await fetch(after)).json()).next;
    const skipped = { p50: NaN, p99: NaN, max: NaN, cpuUs: NaN };
    const registry = ONLY.has("registry")
      ? {
          page: await timed(`${base}/pledges`, 40, (b) => b.includes('data-count="'), server.pid),
          search: await timed(`${base}/pledges?q=maker4242`, 40, (b) => b.includes("Maker 4242"), server.pid),
          deep: await timed(`${base}/pledges?after=${new URL(after).searchParams.get("after")}`, 40, (b) => b.includes("data-pledge="), server.pid),
          api: await timed(`${base}/api/pledges`, 40, (b) => b.includes('"pledges"'), server.pid),
        }
      : { page: skipped, search: skipped, deep: skipped, api: skipped };

    // Badges: 1,000 different pledges in turn (each state is held 2 s in memory).
    const paths = badgeIds.map((id) => `/pledges/${id}/badge.svg`);
    const pid = server.pid;
    const none: LoadResult = { rps: 0, p50: 0, p99: 0, total: 0, errors: 0, statuses: {}, cpuUs: 0 };
    let badge = none;
    if (ONLY.has("badge")) {
      await load({ base, kind: "badge", seconds: 3, paths });
      badge = await load({ base, kind: "badge", seconds: SECONDS, paths }, pid);
    }

    // Signing: every request a different signed-in signer (their first signature).
    const body = new URLSearchParams({ publicName: "Bench Maker", instagram: "bench.maker", tiktok: "", youtube: "", twitch: "", under13: "no", guardianEmail: "", textSha256 }).toString();
    const warm = cookies.splice(0, 2000);
    let sign = none;
    let signAtGoal = none;
    let floor = none;
    // Distinct signers for the run at the goal's rate, set apart from the saturated run's.
    const atGoalCookies = cookies.splice(0, Math.min(Math.floor(cookies.length / 2), Math.ceil(SIGN_GOAL * (SECONDS + PACED_WARMUP) * 1.05)));
    if (ONLY.has("sign")) {
      // The floor of a Remix form action on this machine: the anonymous language switch reads a
      // small form, validates it with zod and redirects, without touching the database.
      const floorBody = new URLSearchParams({ locale: "nl-BE", redirectTo: "/pledges" }).toString();
      await load({ base, kind: "floor", seconds: 2, body: floorBody });
      floor = await load({ base, kind: "floor", seconds: SECONDS, body: floorBody }, pid);
      await load({ base, kind: "sign", seconds: 2, cookies: warm, body });
      sign = await load({ base, kind: "sign", seconds: SECONDS, cookies, body }, pid);
      // The goal's own load, sent on a fixed schedule (bench/paced.ts): with every connection
      // always busy (above), latency is mostly the queue the load itself builds.
      signAtGoal = await load({ base, kind: "sign", seconds: SECONDS, cookies: atGoalCookies, body, rate: SIGN_GOAL }, pid);
    }
    const distinct = sign.total <= cookies.length && signAtGoal.total <= atGoalCookies.length;

    const loadEnd = os.loadavg().map((l) => l.toFixed(1)).join(" ");
    const ok = (m: LoadResult, rps: number, good: string) => m.rps >= rps && m.p99 <= 30 && m.errors === 0 && Object.keys(m.statuses).every((s) => s === good);
    const fmt = (m: LoadResult) => `${Math.round(m.rps).toLocaleString("en")} | ${m.p50} ms | ${m.p99} ms | ${m.errors} | ${Object.entries(m.statuses).map(([s, n]) => `${s}: ${n}`).join(", ")} | ${m.cpuUs} µs`;
    const table = [
      `Load average ${loadStart} at the start, ${loadEnd} at the end; ${CONNECTIONS} connections, ${SECONDS} s each.`,
      "",
      "| Load (second process) | req/s | p50 | p99 | errors | statuses | server CPU per request | Goal | |",
      "|---|---:|---:|---:|---:|---|---:|---|---|",
      `| GET /pledges/:id/badge.svg (1,000 pledges in turn) | ${fmt(badge)} | ≥ 4,000 req/s, p99 ≤ 30 ms | ${ok(badge, 4000, "200") ? "met" : "NOT met"} |`,
      `| POST /pledge (each a distinct signed-in signer${distinct ? "" : "; ran out of signers, some repeated"}) | ${fmt(sign)} | ≥ 1,500 req/s, p99 ≤ 30 ms | ${ok(sign, SIGN_GOAL, "302") ? "met" : "NOT met"} |`,
      `| POST /pledge, ${SIGN_GOAL.toLocaleString("en")} req/s sent on a fixed schedule (distinct signers; req/s answered; latency from each one's scheduled time) | ${fmt(signAtGoal)} | ${SIGN_GOAL.toLocaleString("en")} req/s, p99 ≤ 30 ms | ${ok(signAtGoal, SIGN_GOAL * 0.98, "302") ? "met" : "NOT met"} |`,
      `| for comparison: POST /language (anonymous; form, zod, redirect; no database): the Remix action floor | ${fmt(floor)} | – | |`,
      "",
      `| Registry with ${PLEDGES.toLocaleString("en")} pledges (sequential, loopback ≈ server time) | p50 | p99 | max | server CPU per request | Goal | |`,
      "|---|---:|---:|---:|---:|---|---|",
      ...Object.entries({ "GET /pledges (first page, counts)": registry.page, "GET /pledges?q=maker4242 (search)": registry.search, "GET /pledges?after=… (page 21)": registry.deep, "GET /api/pledges": registry.api }).map(
        ([name, m]) => `| ${name} | ${m.p50} ms | ${m.p99} ms | ${m.max} ms | ${m.cpuUs} µs | ≤ 50 ms | ${m.p50 <= 50 ? "met (p50)" : "NOT met"} |`,
      ),
    ].join("\n");
    console.log(`\n${table}\n`);
  } finally {
    if (server) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    if (process.env.BENCH_SERVER_LOG) fs.writeFileSync(process.env.BENCH_SERVER_LOG, out);
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

async function pg_exec(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

await main();
