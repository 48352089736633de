import { describe, expect, it } from "vitest";
import { writeRuns } from "./record-store";

const row = (id: string, dims: number) => ({ id, text: "t", metadata: "", hash: "h", vector: new Float32Array(dims) });

describe("writeRuns", () => {
  it("Should keep a request's usual rows in one write call (one transaction)", () => {
    const rows = Array.from({ length: 2048 }, (_, i) => row(`r${i}`, 1024));
    expect(writeRuns(rows)).toHaveLength(1);
  });

  it("Should split rows past 16 MB into runs, in order, none empty, none lost", () => {
    const rows = Array.from({ length: 2048 }, (_, i) => row(`r${i}`, 3072));
    const runs = writeRuns(rows);
    expect(runs.length).toBe(2);
    expect(runs.flat()).toEqual(rows);
    for (const run of runs) expect(run.reduce((n, r) => n + (r.vector?.byteLength ?? 0), 0)).toBeLessThanOrEqual(16 << 20);
  });
});
