// `npm run dev` as a newcomer meets it: it starts while another process holds the inspector's
// default port 9229 (another `wrangler dev`), says which port it took, and prints no warning that
// the generated types are out of date.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { freePort } from "../setup/wrangler-dev";

const root = resolve(import.meta.dirname, "../..");

/** Holds 9229 unless something already does (then that something plays the other wrangler dev). */
function hold9229(): Promise<Server | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(undefined));
    server.listen(9229, "127.0.0.1", () => done(server));
  });
}

it("Should start with 9229 taken, on another inspector port it prints, without a stale-types warning", async () => {
  const holder = await hold9229();
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ["scripts/dev.mjs", "--port", String(port)], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
      WRANGLER_SEND_METRICS: "false",
      NO_COLOR: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => output.push(String(d)));
  child.stderr!.on("data", (d) => output.push(String(d)));
  try {
    const deadline = Date.now() + 90_000;
    while (!output.join("").includes("inspector:")) {
      if (child.exitCode !== null) throw new Error(`npm run dev exited:\n${output.join("")}`);
      if (Date.now() > deadline) throw new Error(`no banner:\n${output.join("")}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const text = output.join("");
    expect((await fetch(`http://127.0.0.1:${port}/health`)).ok).toBe(true);
    const inspector = Number(/inspector:\s+127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
    expect(inspector).not.toBe(9229);
    expect(text).toContain("9229 was taken");
    expect(text).not.toMatch(/Address already in use/);
    expect(text).not.toMatch(/might be out of date/i);
  } finally {
    if (child.pid && child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    holder?.close();
  }
});
