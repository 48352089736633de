// Starts the gateway the way users start it: `wrangler dev`, as a child process, on a free port.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface RunningGateway {
  url: string;
  /** Everything wrangler and the worker printed: searched by tests for leaked secrets. */
  output: string[];
  stop(): Promise<void>;
}

/** `persistTo`: the local state directory, to start a gateway again over the state of an earlier one. */
export async function startWranglerDev(vars: Record<string, string>, persistTo?: string): Promise<RunningGateway> {
  const root = resolve(import.meta.dirname, "../..");
  const dir = mkdtempSync(join(tmpdir(), "embed-edge-dev-"));
  const envFile = join(dir, "test.env");
  writeFileSync(
    envFile,
    `${Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      wrangler,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--env-file",
      envFile,
      "--persist-to",
      persistTo ?? join(dir, "state"),
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  child.stdout!.on("data", (d) => output.push(String(d)));
  child.stderr!.on("data", (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output.join("")}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not start:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
