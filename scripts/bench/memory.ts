/**
 * Peak memory of the processes the benchmark runs (issue #8): the kernel's high-water mark of resident memory
 * (VmHWM in /proc/<pid>/status), for a process and every process it started (`next start` may serve from a child).
 * Linux only; elsewhere the figures are null.
 */
import { readFileSync, readdirSync } from "node:fs";

export type PeakMemory = { pid: number; processes: { pid: number; command: string; peakRssBytes: number }[]; peakRssBytes: number } | null;

function status(pid: number): { ppid: number; hwmBytes: number; name: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => text.match(new RegExp(`^${name}:\\s*(.+)$`, "m"))?.[1]?.trim();
    const hwm = field("VmHWM");
    return { ppid: Number(field("PPid")), hwmBytes: hwm ? Number(hwm.replace(/\s*kB$/, "")) * 1024 : 0, name: field("Name") ?? "?" };
  } catch {
    return null;
  }
}

/** The process `pid` and its descendants, each with its peak RSS so far; the total is their sum. Read before it exits. */
export function peakMemoryOf(pid: number | undefined): PeakMemory {
  if (!pid || process.platform !== "linux") return null;
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  const parents = new Map(all.map((p) => [p, status(p)?.ppid ?? -1]));
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, parent] of parents) {
      if (!tree.has(p) && tree.has(parent)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  const processes = [...tree].flatMap((p) => {
    const s = status(p);
    return s ? [{ pid: p, command: s.name, peakRssBytes: s.hwmBytes }] : [];
  });
  return { pid, processes, peakRssBytes: processes.reduce((n, p) => n + p.peakRssBytes, 0) };
}
