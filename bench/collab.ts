// `npm run bench:collab`: the same collaboration workloads (issue 4, S1–S9) against Codewerf's
// server on PostgreSQL, Hocuspocus and the old y-websocket server; prints one table.
import { execSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import * as Y from "yjs";
import { openDatabase, type DB } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { seedDemoData } from "../seeds/index";
import { Client } from "../tests/support/http";
import { freePort } from "../tests/support/server-process";
import { BenchClient, Ledger, type Flavour } from "./collab-client";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";
const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? "0";
const CLIENT_CORE = process.env.BENCH_CLIENT_CORE ?? "1";
const CODE = "influencercode";
/** Seconds of the same load, on another document and not counted, before each load scenario. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const FLAVOURS = (process.env.BENCH_FLAVOURS ?? "codewerf,hocuspocus,y-websocket").split(",") as Flavour[];
const S4_DOCS = 400;
/** BENCH_ONLY=s1,s8 runs only those scenarios (s1 s2 s3 s4 s5 s6 s8; s7 comes with s1, s9 with s6). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : null;
const want = (s: string) => !ONLY || ONLY.has(s);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const TICKS = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

interface RunningServer {
  flavour: Flavour;
  url: string;
  /** PUBLIC_ORIGIN (the same for every instance of one deployment). */
  origin: string;
  pid: number;
  child: ChildProcess;
  /** CPU seconds of the server (and, for Codewerf, of its PostgreSQL backends). */
  cpu(): Promise<number>;
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

let adminPool: pg.Pool;
/** Every process this run started, killed on exit whatever happens. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
let benchDbName = "";
let benchDbUrl = "";

async function pgBackendCpu(): Promise<number> {
  const { rows } = await adminPool.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1", [benchDbName]);
  return rows.reduce((sum, r) => sum + cpuSeconds(r.pid), 0);
}

async function startServer(flavour: Flavour, env: Record<string, string> = {}, port?: number, core = SERVER_CORE): Promise<RunningServer> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const heapFile = path.join(os.tmpdir(), `codewerf-bench-heap-${process.pid}-${port}.json`);
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (stopped with SIGTERM then).
  const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const node = ["--expose-gc", ...extra, "--require", path.resolve("bench/servers/heap-probe.cjs")];
  const args =
    flavour === "codewerf" ? [...node, "--import", "tsx", "server/index.ts"]
    : flavour === "hocuspocus" ? [...node, "bench/servers/hocuspocus.mjs"]
    : [...node, "bench/servers/y-websocket-legacy.cjs"];
  const child = spawn("taskset", ["-c", core, process.execPath, ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_ORIGIN: url,
      NODE_ENV: "production",
      LOG_LEVEL: "error",
      SESSION_SECRET: "bench-session-secret-0123456789",
      DATABASE_URL: benchDbUrl,
      REDIS_URL: "",
      COLLAB_MAX_CONNECTIONS_PER_USER: "100000",
      COLLAB_IDLE_UNLOAD_MS: "1000",
      HEAP_PROBE_FILE: heapFile,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${flavour} exited:\n${out}`);
    const ready = flavour === "codewerf" ? await fetch(`${url}/healthz`).then((r) => r.ok, () => false) : out.includes("listening");
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${flavour} did not start:\n${out}`);
    await sleep(50);
  }
  const pid = child.pid!;
  children.add(child);
  child.once("exit", () => children.delete(child));
  return {
    flavour,
    url,
    origin: env.PUBLIC_ORIGIN ?? url,
    pid,
    child,
    cpu: async () => cpuSeconds(pid) + (flavour === "codewerf" ? await pgBackendCpu() : 0),
    heapUsed: async () => {
      fs.rmSync(heapFile, { force: true });
      process.kill(pid, "SIGUSR2");
      await waitFor(() => fs.existsSync(heapFile) && fs.statSync(heapFile).size > 0, 10_000);
      await sleep(20);
      return (JSON.parse(fs.readFileSync(heapFile, "utf8")) as { heapUsed: number }).heapUsed;
    },
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill(extra.length ? "SIGTERM" : "SIGKILL");
      await exited;
      // BENCH_SERVER_LOG=/tmp/collab keeps each server's output (e.g. with --trace-gc) in /tmp/collab-<flavour>-<port>.log.
      if (process.env.BENCH_SERVER_LOG) fs.writeFileSync(`${process.env.BENCH_SERVER_LOG}-${flavour}-${port}.log`, out);
    },
  };
}

/** A document of about `bytes` bytes (encoded), as ProseMirror paragraphs in `default`. */
function documentOfSize(bytes: number): Uint8Array {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment("default");
  const sentence = "Een influencer meldt reclame duidelijk en meteen, zodat het publiek weet wat betaald is. ";
  let n = 0;
  while (Y.encodeStateAsUpdate(doc).byteLength < bytes) {
    doc.transact(() => {
      for (let i = 0; i < 50; i++) {
        const p = new Y.XmlElement("paragraph");
        const t = new Y.XmlText();
        p.insert(0, [t]);
        fragment.insert(fragment.length, [p]);
        t.insert(0, `${++n}. ${sentence.repeat(2)}`);
      }
    });
  }
  return Y.encodeStateAsUpdate(doc);
}

async function setupDatabase(): Promise<{ db: DB; big: Uint8Array }> {
  adminPool = new pg.Pool({ connectionString: ADMIN_URL, max: 2 });
  benchDbName = `codewerf_bench_${process.pid}`;
  await adminPool.query(`create database ${benchDbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${benchDbName}`;
  benchDbUrl = u.toString();
  const db = await openDatabase({ databaseUrl: benchDbUrl, poolSize: 2 });
  await migrateToLatest(db);
  await seedDemoData(db);
  const cold = documentOfSize(160 * 1024);
  const big = documentOfSize(0.93 * 1024 * 1024);
  const sections = [
    ...["s1", "s2", "s3", "s6", "s8", "cold-fresh"].flatMap((id) => [{ id }, { id: `${id}-warmup` }]),
    ...Array.from({ length: 20 }, (_, i) => ({ id: `cold-${i}` })),
    ...Array.from({ length: S4_DOCS }, (_, i) => ({ id: `s4-${i}` })),
  ];
  for (let i = 0; i < sections.length; i += 200) {
    await db
      .insertInto("sections")
      .values(sections.slice(i, i + 200).map((s, j) => ({ code_id: CODE, id: s.id, title: s.id, position: 1000 + i + j })))
      .execute();
  }
  const snapshots = [...Array.from({ length: 20 }, (_, i) => ({ name: `cold-${i}`, state: cold })), { name: "cold-fresh", state: cold }, { name: "s6", state: big }];
  for (const s of snapshots) await db.insertInto("ydoc_snapshots").values({ doc_name: `${CODE}/${s.name}`, state: s.state, last_update_id: 0 }).execute();
  console.error(`bench database ${benchDbName}: cold documents ${(cold.byteLength / 1024).toFixed(0)} KB, big document ${(big.byteLength / 1024 / 1024).toFixed(2)} MB`);
  return { db, big };
}

let cookie = "";

function clientFor(server: { flavour: Flavour; url: string; origin: string }, doc: string, ledger: Ledger, id: number, awareness = false): BenchClient {
  const base = server.url.replace(/^http/, "ws");
  if (server.flavour === "codewerf") {
    return new BenchClient(`${base}/collab/${CODE}/${doc}`, "codewerf", doc, ledger, id, { Cookie: cookie, Origin: server.origin }, awareness);
  }
  return new BenchClient(`${base}/${CODE}-${doc}`, server.flavour, `${CODE}-${doc}`, ledger, id, {}, awareness);
}

async function connectAll(clients: BenchClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.opened));
  if (!(await waitFor(() => clients.every((c) => c.synced), 30_000))) throw new Error("clients did not sync");
}

interface LoadResult {
  p50: number;
  p99: number;
  savedP99: number;
  delivered: number;
  cpuCores: number;
  payloadBytes: number;
}

/**
 * The same load on another document first, not counted: every server (ours and the peers
 * alike) is measured with its code compiled by the JIT and its pools open, as in production.
 * The first moments of a fresh process are what S5 measures.
 */
async function warmUp(servers: RunningServer[], doc: string, n: number, rate: number): Promise<void> {
  if (WARMUP_SECONDS <= 0) return;
  await loadPhase(servers, `${doc}-warmup`, n, rate, WARMUP_SECONDS);
}

async function runLoad(servers: RunningServer[], doc: string, n: number, rate: number, beforeMeasuring?: () => Promise<void>): Promise<LoadResult> {
  await warmUp(servers, doc, n, rate);
  await beforeMeasuring?.();
  return loadPhase(servers, doc, n, rate, SECONDS);
}

/** n clients, each making `rate` tagged edits per second for `seconds`; clients may sit on several instances. */
async function loadPhase(servers: RunningServer[], doc: string, n: number, rate: number, seconds: number): Promise<LoadResult> {
  const ledger = new Ledger();
  const clients = Array.from({ length: n }, (_, i) => clientFor(servers[i % servers.length], doc, ledger, i));
  await connectAll(clients);
  await sleep(300);
  const cpu0 = (await Promise.all(servers.map((s) => s.cpu()))).reduce((a, b) => a + b, 0);
  const pg0 = process.env.BENCH_DEBUG ? await pgBackendCpu() : 0;
  const t0 = performance.now();
  const timers: NodeJS.Timeout[] = [];
  const interval = 1000 / rate;
  for (const c of clients) {
    timers.push(
      setTimeout(() => {
        c.edit();
        timers.push(setInterval(() => c.edit(), interval));
      }, Math.random() * interval),
    );
  }
  await sleep(seconds * 1000);
  timers.forEach((t) => clearTimeout(t));
  const expected = ledger.sentAt.size * (n - 1);
  await waitFor(() => ledger.deliveries >= expected, 3000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = (await Promise.all(servers.map((s) => s.cpu()))).reduce((a, b) => a + b, 0);
  if (process.env.BENCH_DEBUG) console.error(`  ${doc}: ${Math.round(ledger.frames / elapsed)} frames/s received, ${Math.round(ledger.sentAt.size / elapsed)} edits/s; CPU cores ${((cpu1 - cpu0) / elapsed).toFixed(2)}, of which PostgreSQL's ${((await pgBackendCpu()) - pg0) / elapsed > 0 ? (((await pgBackendCpu()) - pg0) / elapsed).toFixed(2) : "0"}`);
  clients.forEach((c) => c.close());
  if (process.env.BENCH_DEBUG) {
    const buckets = new Map<number, number[]>();
    for (const [sent, lat] of ledger.samples) {
      const b = Math.floor((sent - t0) / 1000);
      if (!buckets.has(b)) buckets.set(b, []);
      buckets.get(b)!.push(lat);
    }
    console.error(`  ${doc}: per second p50/p99/max: ${[...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([b, l]) => `${b}s ${fmt(pct(l, 50))}/${fmt(pct(l, 99))}/${fmt(l.reduce((m, x) => Math.max(m, x), 0))}`).join("  ")}`);
  }
  return {
    p50: pct(ledger.latencies, 50),
    p99: pct(ledger.latencies, 99),
    savedP99: pct(ledger.savedLatencies, 99),
    delivered: (100 * ledger.deliveries) / expected,
    cpuCores: (cpu1 - cpu0) / elapsed,
    payloadBytes: ledger.payloadBytes,
  };
}

async function health(server: RunningServer): Promise<{ storedBytes: number; storedRows: number }> {
  return ((await (await fetch(`${server.url}/healthz`)).json()) as { collab: { storedBytes: number; storedRows: number } }).collab;
}

/** S4: heap per open idle document, and per document after everyone left. */
async function heapPerDoc(server: RunningServer): Promise<{ open: number; left: number }> {
  const ledger = new Ledger();
  await sleep(500);
  const base = await server.heapUsed();
  const clients: BenchClient[] = [];
  for (let i = 0; i < S4_DOCS; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => clientFor(server, `s4-${i + j}`, ledger, i + j));
    await connectAll(batch);
    clients.push(...batch);
  }
  await sleep(500);
  const open = await server.heapUsed();
  clients.forEach((c) => c.close());
  await sleep(3000);
  const left = await server.heapUsed();
  return { open: (open - base) / S4_DOCS, left: (left - base) / S4_DOCS };
}

/** S6 + S9: 200 clients join a 0.93 MB document at once. */
async function joinStorm(server: RunningServer, big: Uint8Array): Promise<{ allSynced: number; cpu: number; awarenessFrames: number }> {
  const ledger = new Ledger();
  const holder = clientFor(server, "s6", ledger, 9999);
  await connectAll([holder]);
  if (server.flavour !== "codewerf") {
    holder.sendUpdate(big);
    const probe = clientFor(server, "s6", new Ledger(), 9998);
    await connectAll([probe]);
    probe.close();
  }
  await sleep(500);
  const storm = new Ledger();
  const cpu0 = await server.cpu();
  const t0 = performance.now();
  const clients = Array.from({ length: 200 }, (_, i) => clientFor(server, "s6", storm, i, true));
  await connectAll(clients);
  const allSynced = Math.max(...clients.map((c) => c.syncedAt)) - t0;
  const cpu = (await server.cpu()) - cpu0;
  await sleep(500);
  const awarenessFrames = storm.awarenessFrames;
  [...clients, holder].forEach((c) => c.close());
  return { allSynced, cpu, awarenessFrames };
}

/** S5: cold loads of a 160 KB stored document (Codewerf only: the peers keep documents in memory). */
async function coldLoads(server: RunningServer): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const c = clientFor(server, `cold-${i}`, new Ledger(), i);
    await connectAll([c]);
    times.push(c.syncedAt - t0);
    c.close();
  }
  return times;
}

async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  children.add(child);
  await sleep(300);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "—");

async function main() {
  execSync(`taskset -pc ${CLIENT_CORE} ${process.pid}`, { stdio: "ignore" });
  const { db, big } = await setupDatabase();
  const rows: [string, ...string[]][] = [];
  const results: Record<Flavour, Record<string, string>> = { codewerf: {}, hocuspocus: {}, "y-websocket": {} };
  let s1p99 = NaN;
  try {
    for (const flavour of FLAVOURS) {
      console.error(`— ${flavour}`);
      const server = await startServer(flavour);
      const r = results[flavour];
      if (flavour === "codewerf") {
        const c = new Client(server.url);
        await c.login("creator1@codewerf.test");
        cookie = c.cookie;
      }
      if (want("s1")) {
        const before = { storedBytes: 0, storedRows: 0 };
        const s1 = await runLoad([server], "s1", 50, 5, async () => {
          if (flavour === "codewerf") Object.assign(before, await health(server));
        });
        r["S1 50×5/s fan-out p50 / p99 ms"] = `${fmt(s1.p50)} / ${fmt(s1.p99)}`;
        r["S1 time to saved p99 ms"] = flavour === "codewerf" ? fmt(s1.savedP99) : "— (no durable ack)";
        if (flavour === "codewerf") {
          s1p99 = s1.p99;
          const after = await health(server);
          r["S7 stored bytes / update payload"] = `${fmt((after.storedBytes - before.storedBytes) / s1.payloadBytes, 2)} (${after.storedRows - before.storedRows} rows)`;
        } else r["S7 stored bytes / update payload"] = "— (in memory)";
        console.error("  S1 done");
      }
      if (want("s2")) {
        const s2 = await runLoad([server], "s2", 200, 2);
        r["S2 200×2/s fan-out p50 / p99 ms"] = `${fmt(s2.p50)} / ${fmt(s2.p99)}`;
        console.error("  S2 done");
      }
      if (want("s3")) {
        const s3 = await runLoad([server], "s3", 200, 5);
        r["S3 200×5/s fan-out p50 / p99 ms"] = `${fmt(s3.p50)} / ${fmt(s3.p99)}`;
        r["S3 delivered %"] = fmt(s3.delivered, 2);
        r["S3 server CPU cores (incl. PostgreSQL)"] = fmt(s3.cpuCores, 2);
        r["S3 time to saved p99 ms"] = flavour === "codewerf" ? fmt(s3.savedP99) : "—";
        console.error("  S3 done");
      }
      if (want("s4")) {
        const s4 = await heapPerDoc(server);
        r["S4 heap per open idle doc KB"] = fmt(s4.open / 1024);
        r["S4 heap per doc after all left KB"] = fmt(s4.left / 1024);
        console.error("  S4 done");
      }
      if (want("s6")) {
        const s6 = await joinStorm(server, big);
        r["S6 200 join 0.93 MB: all synced s"] = fmt(s6.allSynced / 1000, 2);
        r["S6 server CPU s"] = fmt(s6.cpu, 2);
        r["S9 awareness frames in the S6 storm"] = String(s6.awarenessFrames);
        console.error("  S6/S9 done");
      }
      if (flavour === "codewerf") {
        if (want("s5")) {
          const warm = await coldLoads(server);
          r["S5 cold load 160 KB p50 ms (warm process)"] = fmt(pct(warm, 50));
        }
        await server.stop();
        if (want("s5")) {
          const fresh = await startServer("codewerf");
          const t0 = performance.now();
          const c = clientFor(fresh, "cold-fresh", new Ledger(), 1);
          await connectAll([c]);
          r["S5 first load in a fresh process ms"] = fmt(c.syncedAt - t0);
          c.close();
          await fresh.stop();
        }
        if (want("s8")) {
          const redis = await startRedis();
          const a = await startServer("codewerf", { REDIS_URL: redis.url });
          // BENCH_S8_SECOND_CORE puts the second instance on another core (default: the same as the first).
          const b = await startServer("codewerf", { REDIS_URL: redis.url, PUBLIC_ORIGIN: a.url }, undefined, process.env.BENCH_S8_SECOND_CORE ?? SERVER_CORE);
          const s8 = await runLoad([a, b], "s8", 50, 5);
          r["S8 two instances via Redis: p99 ms (added)"] = `${fmt(s8.p99)} (${fmt(s8.p99 - s1p99)})`;
          await Promise.all([a.stop(), b.stop()]);
          redis.stop();
          console.error("  S5/S8 done");
        }
      } else {
        r["S5 cold load 160 KB p50 ms (warm process)"] = "— (in memory)";
        r["S5 first load in a fresh process ms"] = "—";
        r["S8 two instances via Redis: p99 ms (added)"] = "—";
        await server.stop();
      }
    }
  } finally {
    await db.destroy();
    await adminPool.query(`drop database if exists ${benchDbName} with (force)`);
    await adminPool.end();
  }
  const keys = Object.keys(results[FLAVOURS[0]]);
  for (const k of keys) rows.push([k, ...FLAVOURS.map((f) => results[f][k] ?? "—")]);
  const titles: Record<Flavour, string> = { codewerf: "Codewerf (PostgreSQL)", hocuspocus: "Hocuspocus (memory)", "y-websocket": "y-websocket 2 (memory)" };
  const header: [string, ...string[]] = ["scenario", ...FLAVOURS.map((f) => titles[f])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\n${SECONDS} s per load scenario; servers pinned to core ${SERVER_CORE}, clients to core ${CLIENT_CORE}; ${new Date().toISOString()}`);
  process.exit(0);
}

await main();
