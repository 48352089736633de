// CPU time of a workerd process, read from /proc the way `top` does: a whole-process number that
// includes everything the runtime does for a request (HTTP parsing, the isolate, the bindings'
// local simulations), which is what in-process timers inside the worker cannot see.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux): the unit of utime and stime. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** One tick: the resolution of a single `cpuMs` reading. */
export const CPU_TICK_MS = 1000 / CLOCK_TICKS_PER_SECOND;

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * CPU milliseconds `pid` has used so far, all threads included: the scheduler's own nanosecond
 * count (`/proc/<pid>/task/<tid>/schedstat`, first field), far finer than utime+stime's clock ticks
 * (10 ms each), which made cheap requests a difference of a few ticks. Falls back to utime+stime.
 */
export function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended between readdir and read.
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // No schedstat on this kernel.
  }
  const fields = statFields(pid);
  // After the name: state(0) ppid(1) ... utime(11) stime(12), per proc(5).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Process ids of this Node process's `workerd` children. */
export function workerdChildren(): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const pid = Number(entry);
      if (Number(statFields(pid)[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd") found.add(pid);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return found;
}

/**
 * Waits until `pid` stops using CPU (two readings a tick apart agree), so background work such as
 * `waitUntil` store writes lands inside the measured window. Gives up after `maxMs`.
 */
export async function settle(pid: number, maxMs = 2000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 3 * CPU_TICK_MS));
    const now = cpuMs(pid);
    if (now === last) return;
    last = now;
  }
}
