// Server-sent event streams (the draft overview's and a section's comments' live updates), in
// one place: subscribe, a heartbeat, and one cleanup however the stream ends (the client goes
// away, the reader cancels, a write fails).
//
// A client can go away while the route's loader is still awaiting (its session, its section):
// the request's abort signal has then fired before any listener was there to hear it. Such a
// stream is never opened, instead of living on with its subscription and heartbeat until the
// process ends (and holding up a graceful shutdown that waits for running requests).

interface Counts {
  /** Streams open now. */
  open: number;
  /** Opened since the process started. */
  opened: number;
  /** Not opened because their client had already gone. */
  gone: number;
}
const g = globalThis as unknown as { __codewerfEventStreams?: Counts };
/** On globalThis: /healthz (the server's module instance) reads what the routes (the build's) count. */
const counts = (g.__codewerfEventStreams ??= { open: 0, opened: 0, gone: 0 });

/** For /healthz. */
export function eventStreamStats(): Counts {
  return { ...counts };
}

export interface EventStreamOptions {
  /** A comment line sent this often, so proxies and browsers keep the connection. */
  heartbeatMs: number;
  /** The reconnection delay the browser is told to use. */
  retryMs: number;
  /**
   * Subscribes and sends what the client needs first; returns the unsubscribe. `send` writes
   * one event (`data:` plus the JSON); it does nothing once the stream has ended.
   */
  start: (send: (data: unknown) => void) => (() => void) | Promise<() => void>;
}

export function eventStream(request: Request, options: EventStreamOptions): Response {
  const encoder = new TextEncoder();
  let ended = false;
  let end = () => {
    ended = true;
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      if (request.signal.aborted) {
        counts.gone++;
        ended = true;
        controller.close();
        return;
      }
      counts.open++;
      counts.opened++;
      let unsubscribe: (() => void) | null = null;
      let heartbeat: NodeJS.Timeout | null = null;
      end = () => {
        if (ended) return;
        ended = true;
        counts.open--;
        request.signal.removeEventListener("abort", end);
        if (heartbeat) clearInterval(heartbeat);
        unsubscribe?.();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      request.signal.addEventListener("abort", end);
      const write = (text: string) => {
        if (ended) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          end();
        }
      };
      write(`retry: ${options.retryMs}\n\n`);
      heartbeat = setInterval(() => write(": keep-alive\n\n"), options.heartbeatMs);
      try {
        const off = await options.start((data) => write(`data: ${JSON.stringify(data)}\n\n`));
        // The client may have left while `start` was awaiting.
        if (ended) off();
        else unsubscribe = off;
      } catch (err) {
        end();
        throw err;
      }
    },
    cancel() {
      end();
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
