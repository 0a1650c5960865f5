import { describe, expect, it } from "vitest";
import { readableLine } from "@/scripts/embedded/readable-log";

describe("the start-up console's readable log lines", () => {
  it("turns a pino JSON line into time, level, message and fields", () => {
    const line = JSON.stringify({ level: 40, time: Date.parse("2026-12-07T22:45:01Z"), pid: 1, hostname: "h", service: "chartproof", msg: "batch anchored", batch: 7, records: 12 });
    expect(readableLine("worker", line)).toBe("[worker] 22:45:01 WARN  batch anchored  batch=7 records=12");
  });

  it("passes a line that is not JSON through, named", () => {
    expect(readableLine("worker", "plain text")).toBe("[worker] plain text");
    expect(readableLine("worker", "[1,2]")).toBe("[worker] [1,2]");
  });
});
