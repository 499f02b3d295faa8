// `npm run bench:releases`: load-tests an immutable release page and its JSON on the real
// server over PostgreSQL (server on core 0, autocannon on core 1), and times comparing two
// releases of 10 sections × 2,000 words: in the server (its Server-Timing, first comparison after a start and
// one of releases not loaded yet) and in this process (cold, and the diff alone).
//
// Options (environment): BENCH_SECONDS (per measurement, default 10), BENCH_CONNECTIONS
// (default 32), BENCH_ADMIN_URL (default postgres://root@127.0.0.1:5432/postgres).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import pg from "pg";
import { openDatabase, type DB } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { compareReleases, compareSections, freezeContent, getRelease } from "../app/models/releases.server";
import type { PMJSON } from "../app/domain/richtext";
import { seedDemoData } from "../seeds/index";
import { buildIfStale, SERVER_BUNDLE } from "../scripts/build-if-stale.mjs";
import { freePort } from "../tests/support/server-process";
import { cpuSeconds } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const CODE = "influencercode";
const PAGE = `/codes/${CODE}/releases/1.0`;
const JSON_PATH = `/api/codes/${CODE}/releases/1.0`;
const SECTIONS = 10;
const WORDS = 2000;
const HAS_TASKSET = spawnSync("taskset", ["-V"]).status === 0 && os.cpus().length >= 2;

interface Measurement {
  rps: number;
  cpuUs: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function pinned(core: number, cmd: string, args: string[]): [string, string[]] {
  return HAS_TASKSET ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args];
}

async function autocannon(url: string, seconds: number, pid?: number): Promise<Measurement> {
  const [cmd, args] = pinned(1, process.execPath, ["node_modules/autocannon/autocannon.js", "--json", "-c", String(CONNECTIONS), "-d", String(seconds), url]);
  const before = cpuSeconds(pid);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`autocannon failed (${code})`);
  const r = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number; non2xx: number };
  const cpu = cpuSeconds(pid) - before;
  return { rps: r.requests.average, cpuUs: r.requests.total ? (cpu * 1e6) / r.requests.total : 0, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deterministic pseudo-random words (a small LCG), so every run compares the same texts. */
function wordsFrom(vocabulary: string[], seed: number, count: number): string[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return vocabulary[x % vocabulary.length];
  });
}

function paragraphs(words: string[]): PMJSON {
  const content: PMJSON[] = [];
  for (let i = 0; i < words.length; i += 100) content.push({ type: "paragraph", content: [{ type: "text", text: words.slice(i, i + 100).join(" ") }] });
  return { type: "doc", content };
}

/**
 * Inserts releases 2.0 to 2.3 (10 sections × 2,000 words; 2.1 and 2.3 edit ~3% of the words of
 * 2.0 and 2.2 and add a sentence per section): two pairs, so the server's second comparison
 * loads releases it has never seen, in a process that has compared before.
 */
async function insertLargeReleases(db: DB): Promise<void> {
  const first = await getRelease(db, CODE, "1.0");
  const vocabulary = [...new Set(first.sections.flatMap((s) => s.text.split(/\s+/)).filter(Boolean))];
  for (const [minor, edit] of [
    [0, false],
    [1, true],
    [2, false],
    [3, true],
  ] as const) {
    const { id } = await db.insertInto("releases").values({ code_id: CODE, major: 2, minor, code_title: first.codeTitle, notes: "bench" }).returning("id").executeTakeFirstOrThrow();
    const rows = Array.from({ length: SECTIONS }, (_, i) => {
      let words = wordsFrom(vocabulary, i + 1 + (minor >= 2 ? 100 : 0), WORDS);
      if (edit) {
        words = words.map((w, j) => (j % 37 === 5 ? `${w}e` : w));
        words.splice(WORDS / 2, 0, ...`Deze zin is nieuw in versie 2.${minor} en staat midden in het hoofdstuk.`.split(" "));
      }
      const frozen = freezeContent(paragraphs(words));
      return { release_id: id, section_id: `deel-${i + 1}`, position: i + 1, title: `Deel ${i + 1}`, content_json: JSON.stringify(frozen.contentJson), html: frozen.html, text: frozen.text };
    });
    await db.insertInto("release_sections").values(rows).execute();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function row(name: string, m: Measurement): string {
  const ok = m.rps >= 2000 && m.p99 <= 30 && m.errors + m.non2xx === 0;
  return `| ${name} | ${Math.round(m.rps).toLocaleString("en")} | ${m.p50} ms | ${m.p99} ms | ${m.errors} / ${m.non2xx} | ${Math.round(m.cpuUs)} µs | ${m.cpuUs ? Math.round(1e6 / m.cpuUs).toLocaleString("en") : "–"} | ≥ 2,000 req/s, p99 ≤ 30 ms | ${ok ? "met" : "NOT met"} |`;
}

async function main() {
  await buildIfStale();
  const dbName = `codewerf_bench_releases_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  let server: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  const db = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 2 });
  try {
    await migrateToLatest(db);
    await seedDemoData(db);
    await insertLargeReleases(db);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", SESSION_SECRET: "bench-session-secret-0123456789", PORT: String(port), HOST: "127.0.0.1", PUBLIC_ORIGIN: base, DATABASE_URL: dbUrl.toString() };
    delete env.DATA_DIR;
    const [cmd, args] = pinned(0, process.execPath, [SERVER_BUNDLE]);
    let out = "";
    const child = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    server = { child, exited: new Promise((r) => child.once("exit", r)) };
    await waitHealthy(base, child, () => out);
    const load = os.loadavg()[0].toFixed(1);

    // The compare page over HTTP: the server's own time for the comparison (Server-Timing: load
    // and diff) and the whole request. First 2.0 → 2.1 (the first comparison after a start, code
    // not yet optimised by V8), then 2.2 → 2.3 (two releases the server has not loaded yet, in a
    // process that has compared before).
    const comparePage = async (from: string, to: string) => {
      const t0 = performance.now();
      const res = await fetch(`${base}/codes/${CODE}/compare?from=${from}&to=${to}`);
      const body = await res.text();
      const wall = performance.now() - t0;
      if (res.status !== 200 || !body.includes(`Deze zin is nieuw in versie ${to}`)) throw new Error(`compare page ${from} → ${to} failed (${res.status})`);
      const timing = res.headers.get("Server-Timing") ?? "";
      const part = (name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing)?.[1] ?? NaN);
      return { wall, server: part("compare"), load: part("load"), diff: part("diff") };
    };
    const firstCompare = await comparePage("2.0", "2.1");
    // A running server has compared before: five more comparisons of the loaded releases (each a
    // pair not compared yet), then two releases it has never loaded.
    for (const [from, to] of [["2.1", "2.0"], ["1.0", "2.0"], ["2.0", "1.0"], ["1.0", "2.1"], ["2.1", "1.0"]]) {
      const res = await fetch(`${base}/codes/${CODE}/compare?from=${from}&to=${to}`);
      if (res.status !== 200) throw new Error(`compare ${from} → ${to} answered ${res.status}`);
      await res.arrayBuffer();
    }
    const coldCompare = await comparePage("2.2", "2.3");

    for (const path of [PAGE, JSON_PATH]) {
      const res = await fetch(base + path);
      if (res.status !== 200 || !(await res.text()).includes("Eerlijk over reclame")) throw new Error(`${path} answered ${res.status}`);
    }
    console.log(`server on ${base} (pinned: ${HAS_TASKSET}), ${CONNECTIONS} connections, ${SECONDS} s per measurement; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    await autocannon(base + PAGE, 3);
    const page = await autocannon(base + PAGE, SECONDS, child.pid);
    await autocannon(base + JSON_PATH, 2);
    const json = await autocannon(base + JSON_PATH, SECONDS, child.pid);

    // Server time of a comparison, in this process: cold (rows loaded, then diffed) once, and the diff alone.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since);
      return (u.user + u.system) / 1000;
    };
    const c0 = performance.now();
    const cpu0 = process.cpuUsage();
    const cold = await compareReleases(db, CODE, "2.0", "2.1");
    const coldMs = performance.now() - c0;
    const coldCpu = cpuMs(cpu0);
    const [older, newer] = await Promise.all([getRelease(db, CODE, "2.0"), getRelease(db, CODE, "2.1")]);
    const diffs: number[] = [];
    const diffCpus: number[] = [];
    for (let i = 0; i < 7; i++) {
      const d0 = performance.now();
      const dc = process.cpuUsage();
      compareSections(older, newer);
      diffs.push(performance.now() - d0);
      diffCpus.push(cpuMs(dc));
    }
    const diffMs = median(diffs);
    const diffCpu = median(diffCpus);
    if (cold.counts.changed !== SECTIONS) throw new Error(`expected ${SECTIONS} changed sections, got ${JSON.stringify(cold.counts)}`);

    const table = [
      "| Route (anonymous) | req/s | p50 | p99 | errors / non-2xx | server CPU per request | req/s one free core could serve | Goal | |",
      "|---|---:|---:|---:|---:|---:|---:|---|---|",
      row(`GET ${PAGE} (HTML, anonymous: the response cache after the first)`, page),
      row(`GET ${JSON_PATH}`, json),
      "",
      `| Compare 2.0 → 2.1 (${SECTIONS} sections × ${WORDS.toLocaleString("en")} words, every paragraph edited) | Wall time | CPU time | Goal | |`,
      "|---|---:|---:|---|---|",
      `| in this (fresh) process: load both releases from PostgreSQL + word diff (\`compareReleases\`) | ${coldMs.toFixed(1)} ms | ${coldCpu.toFixed(1)} ms | ≤ 100 ms | ${coldMs <= 100 ? "met" : coldCpu <= 100 ? "met in CPU time only" : "NOT met"} |`,
      `| word diff alone (\`compareSections\`, median of 7) | ${diffMs.toFixed(1)} ms | ${diffCpu.toFixed(1)} ms | ≤ 100 ms | ${diffMs <= 100 ? "met" : diffCpu <= 100 ? "met in CPU time only" : "NOT met"} |`,
      "",
      `| Compare in the server (its Server-Timing; the whole GET of the page incl. the Remix render) | Server time | Whole request | Goal | |`,
      "|---|---:|---:|---|---|",
      `| 2.0 → 2.1, the first comparison after the server started (load + diff) | ${firstCompare.server.toFixed(1)} ms (load ${firstCompare.load.toFixed(1)}, diff ${firstCompare.diff.toFixed(1)}) | ${firstCompare.wall.toFixed(1)} ms | ≤ 100 ms | ${firstCompare.server <= 100 ? "met" : "NOT met"} |`,
      `| 2.2 → 2.3 after five other comparisons: two releases not loaded yet (load + diff) | ${coldCompare.server.toFixed(1)} ms (load ${coldCompare.load.toFixed(1)}, diff ${coldCompare.diff.toFixed(1)}) | ${coldCompare.wall.toFixed(1)} ms | ≤ 100 ms | ${coldCompare.server <= 100 ? "met" : "NOT met"} |`,
    ].join("\n");
    console.log(`\nload average ${load} at the start, ${os.loadavg()[0].toFixed(1)} at the end\n\n${table}\n`);
  } finally {
    if (server) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await db.destroy();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

await main();
