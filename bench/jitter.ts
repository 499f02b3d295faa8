// `npm run bench:jitter`: how long this machine takes a core away from a process that wants it.
// One busy loop per core (pinned with taskset where there is one), nothing else running: every
// gap between two readings of the clock longer than 5 ms is time the core was not ours (the
// hypervisor, or the host's other work). Such a pause delays every request in flight on that
// core, whatever our code does, so it sets a floor under the p99 of the latency benchmarks.
// Option: BENCH_SECONDS (default 20).
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

if (process.env.BENCH_ROLE === "spin") {
  const gaps: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let last = performance.now();
  for (;;) {
    const now = performance.now();
    if (now - last > 5) gaps.push(now - last);
    last = now;
    if (now > end) break;
  }
  process.stdout.write(JSON.stringify(gaps));
  process.exit(0);
}

const hasTaskset = spawnSync("taskset", ["-V"]).status === 0;
const cores = os.cpus().length;
const results = await Promise.all(
  Array.from({ length: cores }, (_, core) => {
    const args = ["--import", "tsx", "bench/jitter.ts"];
    const [cmd, argv] = hasTaskset ? ["taskset", ["-c", String(core), process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(cmd, argv, { env: { ...process.env, BENCH_ROLE: "spin" }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    return new Promise<{ core: number; gaps: number[] }>((resolve) => child.once("exit", () => resolve({ core, gaps: JSON.parse(out || "[]") as number[] })));
  }),
);
console.log(`\n${SECONDS} s of busy loops, one per core (pinned: ${hasTaskset}); load average before: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
console.log("| core | pauses > 5 ms | > 20 ms | longest | time lost |");
console.log("|---|---:|---:|---:|---:|");
for (const { core, gaps } of results) {
  const lost = gaps.reduce((a, b) => a + b, 0);
  console.log(`| ${core} | ${gaps.length} | ${gaps.filter((g) => g > 20).length} | ${gaps.length ? Math.max(...gaps).toFixed(1) : "–"} ms | ${((lost / (SECONDS * 1000)) * 100).toFixed(2)} % |`);
}
