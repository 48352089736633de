// One bundled worker in its own Miniflare instance, hence its own workerd process, so that
// process's CPU is that worker's alone (plus the local simulations of its bindings).

import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { cpuMs, workerdChildren } from "./workerd-cpu.ts";

const ROOT = join(import.meta.dirname, "..");

export interface WorkerdInstance {
  name: string;
  pid: number;
  miniflare: Miniflare;
  /** CPU milliseconds this instance's workerd has used so far. */
  cpuMs(): number;
  dispatch(url: string, init: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/** Bundles a worker entry for workerd, as `wrangler deploy` would (esbuild, ESM, workerd conditions). */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    // The runtime's own modules (Durable Object base classes): workerd provides them, as in a deploy.
    external: ["cloudflare:*"],
    // A worker checked out elsewhere (BENCH_REF) still resolves its packages from this project.
    nodePaths: [join(ROOT, "node_modules")],
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0].text;
}

/**
 * Starts `script` in a new workerd. Instances start one at a time: the new workerd child of this
 * process is the one that was not there before.
 */
export async function startWorkerd(
  name: string,
  script: string,
  options: Omit<V4WorkerOptions, "script" | "modules">,
): Promise<WorkerdInstance> {
  const before = workerdChildren();
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      ...options,
      name,
      modules: true,
      script,
      // The worker's log lines cost workerd a pipe write each, as in production; Node drops them.
      // BENCH_RUNTIME_LOG=1 prints them, and workerd's own output: with
      // MINIFLARE_WORKERD_V8_FLAGS="--trace-gc" that shows each isolate's heap through a request.
      handleStructuredLogs: process.env.BENCH_RUNTIME_LOG
        ? ({ message }: { message: string }) => process.stderr.write(`${message}\n`)
        : () => {},
    }),
  );
  await miniflare.ready;
  const started = [...workerdChildren()].filter((pid) => !before.has(pid));
  if (started.length !== 1) {
    await miniflare.dispose();
    throw new Error(`expected one new workerd process for ${name}, found ${started.length}`);
  }
  const pid = started[0];
  return {
    name,
    pid,
    miniflare,
    cpuMs: () => cpuMs(pid),
    dispatch: (url, init) => miniflare.dispatchFetch(url, init as never) as unknown as Promise<Response>,
    dispose: () => miniflare.dispose(),
  };
}
