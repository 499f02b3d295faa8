// A private Redis for one test file (Debian's redis-server on a free port, no persistence), so
// instances under test never hear another file's documents or presence.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { waitFor } from "./collab";

export async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1");
        s.once("connect", () => (s.destroy(), resolve(true)));
        s.once("error", () => resolve(false));
      }),
    "redis listening",
  );
  return child;
}

export async function stopRedisServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}
