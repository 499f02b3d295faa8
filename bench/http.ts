// `npm run bench:http`: load-tests a signed-in section page (repeat visits, answered by the
// cache of signed-in pages, and for comparison the same page rendered every time) and /healthz
// of the real server on PostgreSQL (server on core 0, autocannon on core 1), and times a second
// `npm start`.
//
// Options (environment): BENCH_RUNS (rounds, default 1; medians are reported), BENCH_SECONDS
// (per measurement, default 10), BENCH_CONNECTIONS (default 32), BENCH_ADMIN_URL (default
// postgres://root@127.0.0.1:5432/postgres), BENCH_NODE_ARGS (node flags for the measured
// server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_WRITE_README=1 (rewrite the `## bench:http`
// section of bench/README.md with the figures).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../app/db.server";
import { migrateToLatest } from "../app/migrate.server";
import { DEMO_PASSWORD, seedDemoData } from "../seeds/index";
import { buildIfStale, SERVER_BUNDLE } from "../scripts/build-if-stale.mjs";
import { freePort } from "../tests/support/server-process";
import { cpuSeconds } from "./process-cpu";

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const SECTION_PATH = "/codes/influencercode/sections/zelfdoding";
const SECTION_TEXT = "Praten over zelfdoding en zelfbeschadiging kan helpen";
const LOGIN_EMAIL = "creator1@codewerf.test";
/** Extra node flags for the measured server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const HAS_TASKSET = spawnSync("taskset", ["-V"]).status === 0 && os.cpus().length >= 2;

interface Measurement {
  rps: number;
  /** Server CPU time (user + system) per request, µs: less sensitive to other load than req/s. */
  cpuUs: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

function pinned(core: number, cmd: string, args: string[]): [string, string[]] {
  return HAS_TASKSET ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args];
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output()}`);
    await sleep(20);
  }
}

function spawnServer(cmdArgs: string[], env: Record<string, string | undefined>, core?: number) {
  const [cmd, args] = core === undefined ? [process.execPath, cmdArgs] : pinned(core, process.execPath, cmdArgs);
  let out = "";
  const child = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function serverEnv(port: number, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DATA_DIR;
  return {
    ...env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    SESSION_SECRET: "bench-session-secret-0123456789",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
    ...extra,
  };
}

/** One autocannon run in its own process (pinned to core 1), parsed from its JSON output. */
async function autocannon(url: string, seconds: number, headers: Record<string, string>, serverPid?: number): Promise<Measurement> {
  const acArgs = ["node_modules/autocannon/autocannon.js", "--json", "-c", String(CONNECTIONS), "-d", String(seconds)];
  for (const [k, v] of Object.entries(headers)) acArgs.push("-H", `${k}=${v}`);
  acArgs.push(url);
  const [cmd, args] = pinned(1, process.execPath, acArgs);
  const cpuBefore = cpuSeconds(serverPid);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${err}`);
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  const r = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return { rps: r.requests.average, cpuUs: r.requests.total ? (cpu * 1e6) / r.requests.total : 0, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email: LOGIN_EMAIL, password: DEMO_PASSWORD, redirectTo: "/" }),
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("codewerf_session="));
  if (res.status !== 302 || !setCookie) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return setCookie.split(";")[0];
}

async function checkSectionPage(base: string, cookie: string): Promise<void> {
  const res = await fetch(`${base}${SECTION_PATH}`, { headers: { Cookie: cookie }, redirect: "manual" });
  const body = await res.text();
  if (res.status !== 200 || !body.includes(SECTION_TEXT)) throw new Error(`section page answered ${res.status} without the section text`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function medianOf(ms: Measurement[]): Measurement {
  return {
    rps: median(ms.map((m) => m.rps)),
    cpuUs: median(ms.map((m) => m.cpuUs)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    errors: ms.reduce((a, m) => a + m.errors, 0),
    non2xx: ms.reduce((a, m) => a + m.non2xx, 0),
    total: ms.reduce((a, m) => a + m.total, 0),
  };
}

/** Load tests both routes against a fresh PostgreSQL database; returns one measurement per route. */
async function httpRound(base: string, cookie: string, pid: number | undefined): Promise<{ section: Measurement; rendered: Measurement; healthz: Measurement }> {
  const headers = { Cookie: cookie };
  await autocannon(`${base}${SECTION_PATH}`, 3, headers); // warm-up (JIT, pool, caches)
  const section = await autocannon(`${base}${SECTION_PATH}`, SECONDS, headers, pid);
  // The same page with a query string, which the cache of signed-in pages never keeps: what a
  // session's first visit (or one after a change) costs, rendered by Remix.
  const rendered = await autocannon(`${base}${SECTION_PATH}?render=1`, SECONDS, headers, pid);
  await autocannon(`${base}/healthz`, 2, {});
  const healthz = await autocannon(`${base}/healthz`, SECONDS, {}, pid);
  return { section, rendered, healthz };
}

/** Starts `npm start` on a fresh embedded data dir, stops it, and times the second start. */
async function secondStartMs(): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codewerf-bench-data-"));
  try {
    const port = await freePort();
    const env = serverEnv(port, { DATA_DIR: dataDir });
    delete env.SESSION_SECRET; // the embedded mode keeps its own secret in DATA_DIR
    const url = `http://127.0.0.1:${port}`;
    const first = spawnServer(["scripts/start.mjs"], env);
    await waitHealthy(url, first.child, first.output, 120_000);
    first.child.kill("SIGTERM");
    const code = await first.exited;
    if (code !== 0) throw new Error(`first start did not stop cleanly (${code}):\n${first.output()}`);
    const t0 = performance.now();
    const second = spawnServer(["scripts/start.mjs"], env);
    try {
      await waitHealthy(url, second.child, second.output, 60_000);
      return performance.now() - t0;
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function fmtRow(name: string, m: Measurement, goal: string, ok: boolean | null): string {
  const perCore = m.cpuUs ? Math.round(1e6 / m.cpuUs).toLocaleString("en") : "–";
  return `| ${name} | ${Math.round(m.rps).toLocaleString("en")} | ${m.p50} ms | ${m.p99} ms | ${m.errors} / ${m.non2xx} | ${Math.round(m.cpuUs)} µs | ${perCore} | ${goal} | ${ok === null ? "" : ok ? "met" : "NOT met"} |`;
}

function report(section: Measurement, rendered: Measurement, healthz: Measurement, startMs: number): string {
  const sectionOk = section.rps >= 1000 && section.p99 <= 50 && section.errors + section.non2xx === 0;
  const healthOk = healthz.rps >= 5000 && healthz.errors + healthz.non2xx === 0;
  return [
    "| Route | req/s | p50 | p99 | errors / non-2xx | server CPU per request | req/s one free core could serve (10⁶ µs / CPU) | Goal | |",
    "|---|---:|---:|---:|---:|---:|---:|---|---|",
    fmtRow(`GET ${SECTION_PATH} (signed in; repeat visits, from the cache of signed-in pages)`, section, "≥ 1,000 req/s, p99 ≤ 50 ms", sectionOk),
    fmtRow(`GET ${SECTION_PATH}?render=1 (signed in; rendered by Remix every time, as a first visit)`, rendered, "none (for comparison)", null),
    fmtRow("GET /healthz", healthz, "≥ 5,000 req/s", healthOk),
    "",
    "| Second `npm start` on existing data | Time to first 200 from /healthz | Goal | |",
    "|---|---:|---|---|",
    `| embedded PGlite, fresh data dir started and stopped once | ${(startMs / 1000).toFixed(2)} s | ≤ 3 s | ${startMs <= 3000 ? "met" : "NOT met"} |`,
  ].join("\n");
}

function writeReadme(table: string, load: string): void {
  const file = path.resolve("bench/README.md");
  const header = "# Benchmarks\n\nEach `npm run bench:*` script measures one part of Codewerf; its latest figures are below.\n";
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : header;
  const date = new Date().toISOString().slice(0, 10);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const section = [
    "## bench:http",
    "",
    `Measured ${date} with \`BENCH_RUNS=${RUNS} npm run bench:http\` on ${os.cpus().length} cores (${cpu}), Node ${process.version}, PostgreSQL on 127.0.0.1.`,
    `The server (\`node build/server/index.js\`, what \`npm start\` runs, NODE_ENV=production) runs pinned to core 0, autocannon (${CONNECTIONS} connections, ${SECONDS} s after a warm-up) to core 1; PostgreSQL shares the machine.`,
    `Figures are the median of ${RUNS} round${RUNS === 1 ? "" : "s"} (errors are summed); other work on the machine makes them noisy (load average ${load}). \`BENCH_WRITE_README=1\` rewrites these figures.`,
    "",
    table,
    "",
  ].join("\n");
  // Only the figures are replaced; `###` notes below them stay.
  const re = /## bench:http\n[\s\S]*?(?=\n### |\n## |$)/;
  const next = re.test(current) ? current.replace(re, section.trimEnd() + "\n") : `${current.trimEnd()}\n\n${section}`;
  fs.writeFileSync(file, next);
  console.log(`bench/README.md updated`);
}

async function main() {
  // The production build and server bundle, exactly what `npm start` runs.
  await buildIfStale();
  const dbName = `codewerf_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  let server: ReturnType<typeof spawnServer> | undefined;
  try {
    const setup = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 1 });
    await migrateToLatest(setup);
    await seedDemoData(setup);
    await setup.destroy();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const loadAtStart = os.loadavg()[0].toFixed(1);
    server = spawnServer([...NODE_ARGS, SERVER_BUNDLE], serverEnv(port, { DATABASE_URL: dbUrl.toString() }), 0);
    await waitHealthy(base, server.child, server.output);
    const cookie = await login(base);
    await checkSectionPage(base, cookie);
    console.log(`server on ${base} (pinned: ${HAS_TASKSET}), ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${RUNS} round(s); load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

    const sections: Measurement[] = [];
    const renders: Measurement[] = [];
    const healths: Measurement[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await httpRound(base, cookie, server.child.pid);
      sections.push(r.section);
      renders.push(r.rendered);
      healths.push(r.healthz);
      console.log(
        `round ${i + 1}: section ${Math.round(r.section.rps)} req/s ${Math.round(r.section.cpuUs)} µs CPU/req p50 ${r.section.p50} ms p99 ${r.section.p99} ms (${r.section.errors} errors, ${r.section.non2xx} non-2xx); ` +
          `rendered ${Math.round(r.rendered.rps)} req/s ${Math.round(r.rendered.cpuUs)} µs CPU/req p99 ${r.rendered.p99} ms; ` +
          `healthz ${Math.round(r.healthz.rps)} req/s ${Math.round(r.healthz.cpuUs)} µs CPU/req p50 ${r.healthz.p50} ms p99 ${r.healthz.p99} ms (${r.healthz.errors} errors, ${r.healthz.non2xx} non-2xx)`,
      );
    }
    await checkSectionPage(base, cookie);
    server.child.kill("SIGTERM");
    await server.exited;
    server = undefined;

    const starts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ms = await secondStartMs();
      starts.push(ms);
      console.log(`round ${i + 1}: second start healthy after ${Math.round(ms)} ms`);
    }

    const load = `${loadAtStart} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;
    console.log(`load average: ${load}`);
    const table = report(medianOf(sections), medianOf(renders), medianOf(healths), median(starts));
    console.log(`\n${table}\n`);
    if (process.env.BENCH_WRITE_README === "1") writeReadme(table, load);
  } finally {
    if (server) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

await main();
