// The CPU time a benchmarked process has used, read from /proc: the steadier yardstick on a
// shared machine, where requests per second swing with other work.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** CPU seconds (user + system) a process has used so far (0 where there is no such process). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}
