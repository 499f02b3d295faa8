// A paced (open-loop) HTTP load: requests are sent on a fixed schedule, `rate` per second,
// whatever the server does, and each one's latency is counted from the moment the schedule
// meant to send it (so a stall counts for every request it held up; wrk2's method). This is
// how "sustains N req/s with p99 ≤ X ms" is read.
//
// autocannon's `overallRate` does not do this: each connection sends its share for a second
// as fast as it can, then waits for the next second (bursts at saturation), and its latency
// correction assumes a 1 ms interval. Its saturated runs (every connection always busy) stay
// in the benchmarks for throughput.
//
// Used by bench/comments.ts and bench/pledges.ts: `tsx bench/paced.ts <job.json>` prints the
// result as JSON. The job: { url, method, headers, body, cookies?, rate, seconds, connections,
// expect: { status, location? } } (`cookies`: one per request, in turn; `location`: a regular
// expression the redirect must match).
import fs from "node:fs";
import http from "node:http";

export interface PacedJob {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  cookies?: string[];
  rate: number;
  seconds: number;
  connections: number;
  expect: { status: number; location?: string };
  /** Seconds sent on the same schedule first and not counted: connections open, both sides warm. */
  warmupSeconds?: number;
}

export interface PacedResult {
  /** Requests per second answered: answers over the time from the first send to the last answer. */
  rps: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** Answers by status; one that is not what `expect` says is counted under its own key. */
  statuses: Record<string, number>;
}

export async function paced(job: PacedJob): Promise<PacedResult> {
  const target = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const location = job.expect.location ? new RegExp(job.expect.location) : null;
  const warm = Math.round(job.rate * (job.warmupSeconds ?? 0));
  const n = warm + Math.round(job.rate * job.seconds);
  const interval = 1000 / job.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let settled = 0;
  const count = (key: string) => void (statuses[key] = (statuses[key] ?? 0) + 1);

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const done = () => {
    if (++settled === n) finish();
  };

  const fire = (i: number, intended: number) => {
    const headers: Record<string, string | number> = { ...job.headers };
    if (job.cookies) headers.Cookie = job.cookies[i % job.cookies.length];
    if (job.body !== undefined) headers["Content-Length"] = Buffer.byteLength(job.body);
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: job.method, headers }, (res) => {
      res.resume();
      res.once("end", () => {
        last = performance.now();
        if (i < warm) return done();
        latencies.push(last - intended);
        if (trace) {
          const b = Math.floor((intended - measured) / 100);
          trace[b] = Math.max(trace[b] ?? 0, Math.round(last - intended));
        }
        const good = res.statusCode === job.expect.status && (!location || location.test(String(res.headers.location ?? "")));
        count(good ? String(res.statusCode) : `${res.statusCode}${res.headers.location ? ` to ${res.headers.location}` : ""}`);
        done();
      });
    });
    req.once("error", () => {
      if (i >= warm) errors++;
      done();
    });
    req.end(job.body);
  };

  const start = performance.now() + 20;
  let last = start;
  const measured = start + warm * interval;
  const trace: number[] | null = process.env.BENCH_PACED_TRACE ? [] : null;
  const sendLag: number[] = [];
  let i = 0;
  const tick = () => {
    const now = performance.now();
    if (trace && i >= warm) {
      const b = Math.floor((now - measured) / 100);
      sendLag[b] = Math.max(sendLag[b] ?? 0, Math.round(now - (start + i * interval)));
    }
    while (i < n && start + i * interval <= now) {
      fire(i, start + i * interval);
      i++;
    }
    if (i < n) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
  };
  setTimeout(tick, 20);
  await finished;
  agent.destroy();

  if (trace) console.error(`worst latency per 100 ms of schedule (from ${Date.now() - Math.round(performance.now() - measured)}): ${trace.join(" ")}\nthis process's own lateness in sending, per 100 ms: ${sendLag.join(" ")}`);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] * 10) / 10 : NaN);
  return { rps: sorted.length / Math.max(job.seconds, (last - measured) / 1000), total: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1), errors, statuses };
}

if (process.argv[1]?.endsWith("paced.ts") && process.argv[2]) {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as PacedJob;
  process.stdout.write(JSON.stringify(await paced(job)));
}
